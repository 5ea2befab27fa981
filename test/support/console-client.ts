/** A console user over real HTTP: logs in through the form, keeps the session cookie, posts forms with their CSRF token. */
export interface ConsoleClient {
  cookie: string;
  csrf: string;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  post(path: string, fields: Record<string, string>, opts?: { csrf?: boolean }): Promise<Response>;
}

export function hiddenField(page: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(page);
  if (!m) throw new Error(`no hidden field ${name} in the page`);
  return m[1]!;
}

function cookiesOf(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(';')[0]!);
}

/** Fetches the login form, posts the token; returns the answer and the cookies it set. */
export async function submitLogin(base: string, token: string): Promise<{ res: Response; cookies: string[] }> {
  const form = await fetch(`${base}/ui/login`);
  const page = await form.text();
  const loginCookie = cookiesOf(form).join('; ');
  const res = await fetch(`${base}/ui/login`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie },
    body: new URLSearchParams({ _csrf: hiddenField(page, '_csrf'), next: '/ui', token }).toString(),
  });
  return { res, cookies: cookiesOf(res) };
}

export async function logIn(base: string, token: string): Promise<ConsoleClient> {
  const { res, cookies } = await submitLogin(base, token);
  if (res.status !== 303) throw new Error(`login answered ${res.status}`);
  const cookie = cookies.filter((c) => c.startsWith('engine_session=')).join('; ');
  const fleet = await (await fetch(`${base}/ui`, { headers: { cookie } })).text();
  const client: ConsoleClient = {
    cookie,
    csrf: hiddenField(fleet, '_csrf'),
    get: (path, headers = {}) => fetch(`${base}${path}`, { headers: { cookie: client.cookie, ...headers }, redirect: 'manual' }),
    post: (path, fields, opts = {}) => fetch(`${base}${path}`, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: client.cookie },
      body: new URLSearchParams({ ...(opts.csrf === false ? {} : { _csrf: client.csrf }), ...fields }).toString(),
    }),
  };
  return client;
}
