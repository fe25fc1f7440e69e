// Why a request got its answer: an override rule, chaos, drift from the contract, or a
// failure inside the sandbox. Each mark is text, with a link where there is more to see.
import {duration} from '../format.js';
import {h} from '../render.js';
import {link} from '../router.js';

/** The marks for a journal entry (an empty list when the sandbox answered as usual). */
export function decisionMarks(entry) {
  const marks = [];
  const override = entry.override;
  if (override) {
    const rule = override.rule ?? override.id;
    marks.push(h('a', {class: 'mark mark-override', href: link('overrides', [], {id: rule})}, `override ${rule ?? ''}`.trim()));
  }
  if (entry.chaos) {
    const chaos = entry.chaos;
    const what = chaos.status ? `status ${chaos.status}` : chaos.delay_ms ? `delay ${duration(chaos.delay_ms)}` : '';
    marks.push(h('span', {class: 'mark mark-chaos'}, `chaos ${what}`.trim()));
  }
  if (Array.isArray(entry.drift) && entry.drift.length) {
    marks.push(h('a', {class: 'mark mark-drift', href: link('drift')}, `drift (${entry.drift.length})`));
  }
  if (Array.isArray(entry.errors) && entry.errors.length) {
    marks.push(h('a', {class: 'mark mark-error', href: link('requests', [entry.sequence], {show: 'errors'})},
      entry.errors.length === 1 ? 'error' : `${entry.errors.length} errors`));
  }
  return marks.length ? h('span', {class: 'marks'}, marks) : '—';
}
