// Admin actions offered on more than one panel; the destructive ones ask first.
import {post, remove} from '../api.js';
import {announce} from '../announce.js';
import {publish} from '../bus.js';
import {confirmAction} from '../dialog.js';

async function attempt(action, failureWords) {
  try {
    return await action();
  } catch (problem) {
    announce(`${failureWords}: ${problem.message}`);
    return null;
  }
}

/** POST /jobs/run: finish every queued task and due webhook now. */
export async function runBackgroundWork() {
  const answer = await attempt(() => post('jobs/run'), 'Could not run the background work');
  if (!answer) return;
  const finished = Object.entries(answer.finished || {}).filter(([, number]) => number)
    .map(([name, number]) => `${name} ${number}`).join(', ');
  announce(finished ? `Background work finished: ${finished}` : 'No background work was waiting');
  publish('resync', {});
}

/** DELETE /requests, after asking. */
export async function clearJournal() {
  const sure = await confirmAction({
    title: 'Clear the request journal?',
    message: 'Every recorded request and the coverage counted from them are forgotten. Stored data stays.',
    action: 'Clear the journal',
  });
  if (!sure) return;
  if (await attempt(() => remove('requests').then(() => true), 'Could not clear the journal')) {
    announce('The journal was cleared');
    publish('journal-cleared', {});
  }
}

/** POST /reset (one API or all), after asking. */
export async function resetData(apiName = null) {
  const what = apiName ? `${apiName}'s data` : 'all data';
  const sure = await confirmAction({
    title: `Reset ${what}?`,
    message: `${apiName ? apiName : 'Every API'} goes back to how it started: objects written, tasks and deliveries are gone, fixtures are loaded again, and override rules other than the fixtures' are removed. The request journal stays.`,
    action: apiName ? `Reset ${apiName}` : 'Reset all data',
  });
  if (!sure) return;
  const path = apiName ? `reset?api=${encodeURIComponent(apiName)}` : 'reset';
  if (await attempt(() => post(path).then(() => true), 'Could not reset')) {
    announce(`Reset ${what}`);
    publish('reset', {apis: apiName ? [apiName] : []});
  }
}
