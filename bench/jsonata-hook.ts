/** Module resolve hook for the compile spy: `jsonata` resolves to the counting wrapper. */
const WRAPPER = new URL('./counting-jsonata.ts', import.meta.url).href;

interface Context {
  parentURL?: string;
}
type Next = (specifier: string, context: Context) => Promise<{ url: string }>;

export async function resolve(specifier: string, context: Context, next: Next): Promise<{ url: string }> {
  // Resolved through the chain (not short-circuited) so the TypeScript loader still sees the wrapper.
  if (specifier === 'jsonata' && context.parentURL !== WRAPPER) return next(WRAPPER, context);
  return next(specifier, context);
}
