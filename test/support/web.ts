/**
 * Browser tests: a real `junction serve` child process (embedded store, the built web app from `web/dist`)
 * driven by Playwright through Debian's chromium. Every page a test opens is watched: a console error, an
 * uncaught exception or a dialog (what an executed XSS payload would open) is recorded, and `close()` of the
 * page fails the test when any was seen. Screenshots go to `test-results/screenshots/` as test artifacts.
 *
 * Needs `/usr/bin/chromium` (`.ci/run` installs it) and a built web app (`npm run build`, which the test command
 * runs first). Without chromium the browser suites skip with the reason printed, except under `CI=true`.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { http } from './gateway.js';
import { type JunctionProcess, runJunction } from './process.js';

export const CHROMIUM_PATH = process.env.JUNCTION_CHROMIUM ?? '/usr/bin/chromium';
const WEB_INDEX = fileURLToPath(new URL('../../web/dist/index.html', import.meta.url));
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

/** Why the browser suites cannot run here, or undefined when they can. Under CI a missing part is a failure. */
export function browserUnavailable(): string | undefined {
  const missing = !existsSync(CHROMIUM_PATH)
    ? `no chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set JUNCTION_CHROMIUM)`
    : !existsSync(WEB_INDEX)
      ? 'the web app is not built (npm run build:web)'
      : undefined;
  if (missing && process.env.CI === 'true') {
    throw new Error(`browser tests must run under CI=true, but ${missing}`);
  }
  if (missing) process.stdout.write(`[skip] ${missing}: browser tests are skipped\n`);
  return missing;
}

export const WEB_ADMIN_TOKEN = 'jat_browser-admin-token-0123456789abcdefghijklmnop';
const MASTER_KEY = Buffer.alloc(32, 11).toString('base64');

export interface WebJunction {
  readonly url: string;
  readonly process: JunctionProcess;
  /** Calls the admin API with the bootstrap admin token (or `token`); throws on a status other than `expect`. */
  admin<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<T>;
  /** Calls the data plane with an API key. */
  call<T = unknown>(path: string, body: unknown, key: string): Promise<{ status: number; json: T }>;
  close(): Promise<void>;
}

/** Starts `junction serve` on 127.0.0.1:0 with a fresh embedded store and a known bootstrap admin token. */
export async function startWebJunction(env: Record<string, string> = {}): Promise<WebJunction> {
  const dataDir = mkdtempSync(join(tmpdir(), 'junction-web-'));
  const run = runJunction(['serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {
    JUNCTION_MASTER_KEY: MASTER_KEY,
    JUNCTION_ADMIN_TOKEN: WEB_ADMIN_TOKEN,
    // Health checks every few seconds so a connected provider turns healthy while the test watches.
    JUNCTION_HEALTH_CHECK_INTERVAL_MS: '2000',
    ...env,
  });
  let url: string;
  try {
    [, url] = (await run.waitFor(/Junction is running at (http:\/\/127\.0\.0\.1:\d+)/)) as unknown as [
      string,
      string,
    ];
  } catch (error) {
    run.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const base = url;
  return {
    url: base,
    process: run,
    async admin<T>(method: string, path: string, body?: unknown, token = WEB_ADMIN_TOKEN): Promise<T> {
      const answer = await http<T>(`${base}/admin/v1${path}`, method, body, {
        authorization: `Bearer ${token}`,
      });
      if (answer.status >= 300)
        throw new Error(`${method} ${path} answered ${answer.status}: ${answer.text}`);
      return answer.json;
    },
    async call<T>(path: string, body: unknown, key: string) {
      const answer = await http<T>(`${base}${path}`, 'POST', body, { authorization: `Bearer ${key}` });
      return { status: answer.status, json: answer.json };
    },
    async close() {
      run.child.kill('SIGTERM');
      const stopped = await Promise.race([
        run.exited,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 10_000).unref()),
      ]);
      if (!stopped) run.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A page whose console errors, uncaught exceptions and dialogs are recorded. */
export interface WatchedPage {
  readonly page: Page;
  /** Everything wrong seen so far: console errors, page errors, dialogs. */
  readonly problems: string[];
  /** Saves a full-page screenshot as `test-results/screenshots/<name>.png`. */
  screenshot(name: string): Promise<void>;
  /** Fails when any problem was seen; closes the page's context. */
  close(): Promise<void>;
}

export interface TestBrowser {
  /** A fresh context (its own cookies and storage) with one watched page. */
  newPage(): Promise<WatchedPage>;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<TestBrowser> {
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    async newPage() {
      const context: BrowserContext = await browser.newContext({ viewport: { width: 1360, height: 860 } });
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        // Chromium logs every 4xx answer of a fetch as an error: those are API refusals the app shows on the
        // page (a 401 while signed out, a 409 on a duplicate name), not faults of the page. 5xx answers,
        // network failures and every other console error count.
        if (/^Failed to load resource: the server responded with a status of 4\d\d\b/.test(message.text()))
          return;
        problems.push(`console error: ${message.text()} (${message.location().url})`);
      });
      page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
      page.on('dialog', (dialog) => {
        problems.push(`dialog (${dialog.type()}): ${dialog.message()}`);
        void dialog.dismiss();
      });
      return {
        page,
        problems,
        async screenshot(name) {
          await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
        },
        async close() {
          await context.close();
          if (problems.length > 0) throw new Error(`the page reported problems:\n${problems.join('\n')}`);
        },
      };
    },
    close: () => browser.close(),
  };
}

/** Signs in on the sign-in page with an email and password, and waits for the dashboard's menu. */
export async function signInWithPassword(page: Page, url: string, email: string, password: string) {
  await page.goto(url);
  await page.getByLabel(/^Email/).fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('navigation').waitFor();
}

/** Creates a local user through the admin API. */
export async function createUser(
  junction: WebJunction,
  user: { email: string; password: string; role: string; teamId?: string; name?: string },
): Promise<{ id: string }> {
  return junction.admin('POST', '/users', { name: user.name ?? user.email, ...user });
}
