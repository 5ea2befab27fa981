/** The admin API as the CLI calls it: base URL and bearer token from flags or the environment. */
import { UsageError } from './command.ts';

export interface AdminTarget {
  url: string;
  token: string;
}

export function adminTarget(values: { url?: string | undefined; token?: string | undefined }): AdminTarget {
  const token = values.token ?? process.env.ENGINE_ADMIN_TOKEN;
  if (!token) throw new UsageError('the admin API needs a token: --token T or ENGINE_ADMIN_TOKEN');
  const url = (values.url ?? process.env.ENGINE_URL ?? `http://127.0.0.1:${process.env.PORT ?? '8080'}`).replace(/\/+$/, '');
  return { url, token };
}

/** Calls the admin API; resolves to the JSON answer, or throws with the server's code and message. */
export async function adminCall(target: AdminTarget, method: 'GET' | 'POST', path: string): Promise<unknown> {
  const res = await fetch(`${target.url}/admin${path}`, { method, headers: { authorization: `Bearer ${target.token}` } });
  const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
  if (!res.ok) throw new Error(`${res.status} ${body.code ?? ''} ${body.message ?? ''}`.trim());
  return body;
}
