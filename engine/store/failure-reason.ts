/** A store error's code (SQLITE_FULL, SQLITE_IOERR…) or message: what an operator needs, no data. */
export function reasonOf(err: unknown): string {
  return (err as { code?: string }).code ?? (err as Error).message;
}
