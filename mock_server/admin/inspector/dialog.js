// Asking before a destructive action, in a modal <dialog> that names what will happen.
import {h} from './render.js';

/**
 * Ask to confirm. Resolves true only when the person chooses `action` (the button's words,
 * e.g. "Reset all data"); Escape and "Cancel" resolve false. Focus returns where it was.
 */
export function confirmAction({title, message, action}) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const cancel = h('button', {type: 'button', class: 'secondary'}, 'Cancel');
    const accept = h('button', {type: 'button', class: 'danger'}, action);
    const dialog = h('dialog', {class: 'confirm', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-message'},
      h('h2', {id: 'confirm-title'}, title),
      h('p', {id: 'confirm-message'}, message),
      h('div', {class: 'actions'}, cancel, accept));
    const finish = (answer) => {
      dialog.close();
      dialog.remove();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(answer);
    };
    cancel.addEventListener('click', () => finish(false));
    accept.addEventListener('click', () => finish(true));
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); finish(false); });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
