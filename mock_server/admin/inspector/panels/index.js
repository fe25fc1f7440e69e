// Every panel, by the name `/__admin/health` gives it in `panels`.
import * as overview from './overview.js';
import * as requests from './requests.js';
import * as state from './state.js';
import * as tasks from './tasks.js';
import * as webhooks from './webhooks.js';
import * as coverage from './coverage.js';
import * as overrides from './overrides.js';
import * as drift from './drift.js';

export const PANELS = {overview, requests, state, tasks, webhooks, coverage, overrides, drift};
