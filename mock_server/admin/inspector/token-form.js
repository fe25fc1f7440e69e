// When the sandbox has an admin token and the page has none (or a wrong one): ask for it.
import {setToken} from './api.js';
import {fill, h} from './render.js';

/** Show the token form in `place`; `onToken` runs once a token was given. */
export function showTokenForm(place, message, onToken) {
  if (place.querySelector('form.token-form')) return;
  const input = h('input', {id: 'admin-token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true});
  const form = h('form', {class: 'token-form', 'aria-labelledby': 'token-title'},
    h('h2', {id: 'token-title'}, 'This sandbox needs its admin token'),
    h('p', null, 'The server said: ', h('q', null, message)),
    h('p', null, 'Open the inspector through the address the server printed when it started (it ends in ',
      h('code', null, '#token=…'), '), or give the token here. It is kept in this tab only.'),
    h('div', {class: 'field'}, h('label', {for: 'admin-token'}, 'Admin token'), input),
    h('button', {type: 'submit'}, 'Use this token'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!input.value) return;
    setToken(input.value);
    fill(place);
    onToken();
  });
  fill(place, h('section', {class: 'notice-box'}, form));
  input.focus();
}
