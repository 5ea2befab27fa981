// The one place the built-in adapters are named: one registration line each. Composition roots
// (the CLI commands that start things, the server, the test runner, the demo) import this file.
import { registerDestination, registerSource } from '../engine/registry.ts';
import { flipcauseSource } from './flipcause/index.ts';
import { mailerliteDestination } from './mailerlite/index.ts';

registerSource(flipcauseSource);
registerDestination(mailerliteDestination);
