// The one place the built-in adapters are named: each registers itself with engine/registry.ts.
import './flipcause/index.ts';
import './mailerlite/index.ts';
