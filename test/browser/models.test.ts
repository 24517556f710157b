/**
 * The Models page in a real browser: the list with its filters, creating a model with a two-region pool, the
 * model page (settings, pool, audience, verify per deployment, delete), and aliases (create, move with the
 * re-embedding confirmation, history, roll back); a viewer sees every change button disabled.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserUnavailable,
  createUser,
  openBrowser,
  signInWithPassword,
  startWebJunction,
  type TestBrowser,
  type WebJunction,
} from '../support/web.js';

const unavailable = browserUnavailable();

const OPERATOR = { email: 'ops@example.test', password: 'operator password 1' };
const VIEWER = { email: 'viewer@example.test', password: 'viewer password 12' };

async function openModels(page: Page, url: string, detail?: string): Promise<void> {
  await page.goto(`${url}/#/models${detail ? `/${encodeURIComponent(detail)}` : ''}`);
  if (detail) await page.getByRole('heading', { name: 'Pool' }).waitFor();
  else await page.getByRole('table', { name: 'Models' }).waitFor();
}

/** Picks `option` in the Mantine select labelled `label` (inside `scope`). */
async function choose(
  page: Page,
  label: string,
  option: RegExp,
  scope = page.locator('body'),
): Promise<void> {
  await scope.getByLabel(label).click();
  await page.getByRole('option', { name: option }).click();
}

describe.skipIf(unavailable)('web app: Models (chromium)', () => {
  let junction: WebJunction;
  let browser: TestBrowser;
  let teamId: string;

  beforeAll(async () => {
    [junction, browser] = await Promise.all([startWebJunction(), openBrowser()]);
    await junction.admin('POST', '/providers', {
      id: 'echo-eu',
      type: 'echo',
      displayName: 'Echo EU',
      region: 'eu-west-1',
    });
    await junction.admin('POST', '/providers', {
      id: 'echo-us',
      type: 'echo',
      displayName: 'Echo US',
      region: 'us-east-1',
    });
    await junction.admin('POST', '/models', {
      id: 'acme-llm-2026-03',
      kind: 'chat',
      deployments: [{ providerId: 'echo-eu', upstreamModel: 'echo' }],
    });
    await junction.admin('POST', '/models', {
      id: 'acme-llm-2026-04',
      kind: 'chat',
      deployments: [{ providerId: 'echo-us', upstreamModel: 'echo' }],
    });
    for (const [id, upstreamModel, dimension] of [
      ['embed-a', 'echo', 32],
      ['embed-b', 'echo-2', 32],
      ['embed-wide', 'echo', 64],
    ] as const) {
      await junction.admin('POST', '/models', {
        id,
        kind: 'embedding',
        dimension,
        deployments: [{ providerId: 'echo-eu', upstreamModel }],
      });
    }
    await junction.admin('POST', '/aliases', { id: 'vectors', modelId: 'embed-a' });
    const team = await junction.admin<{ id: string }>('POST', '/teams', { name: 'search' });
    teamId = team.id;
    await createUser(junction, { ...OPERATOR, role: 'super_admin' });
    await createUser(junction, { ...VIEWER, role: 'viewer' });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await junction?.close();
  });

  it('lists models with their pool, status and audience, filtered by text and kind', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await signInWithPassword(page, junction.url, OPERATOR.email, OPERATOR.password);
    await openModels(page, junction.url);
    const rows = page.getByRole('table', { name: 'Models' }).locator('tbody tr');
    await expect(rows.count()).resolves.toBe(5);
    const first = rows.filter({ hasText: 'acme-llm-2026-03' });
    // Regions come from the provider entries, loaded next to the models.
    await first.getByText('eu-west-1').waitFor();
    await first.getByText('Everyone').waitFor();
    await page.getByLabel('Search models').fill('acme');
    await expect(rows.count()).resolves.toBe(2);
    await page.getByLabel('Search models').fill('');
    await page.getByText('Embedding', { exact: true }).click();
    await expect(rows.count()).resolves.toBe(3);
    await watched.screenshot('models-list');
    await watched.close();
  });

  it('creates a model with a two-region pool, edits it, verifies each deployment and deletes it', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await signInWithPassword(page, junction.url, OPERATOR.email, OPERATOR.password);
    await openModels(page, junction.url);

    await page.getByRole('button', { name: 'Add model' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add model' });
    await dialog.getByLabel(/^Name/).fill('pool-2026-05');
    await choose(page, 'Provider entry 1', /Echo EU/, dialog);
    await dialog.getByLabel('Upstream model 1').fill('echo');
    await dialog.getByRole('button', { name: 'Add deployment' }).click();
    await choose(page, 'Provider entry 2', /Echo US/, dialog);
    await dialog.getByLabel('Upstream model 2').fill('echo');
    await dialog.getByLabel('Priority 2').fill('1');
    await dialog.getByRole('button', { name: 'Add model' }).click();
    await page.getByRole('heading', { name: 'pool-2026-05' }).waitFor();
    const created = await junction.admin<{ deployments: { providerId: string; priority: number }[] }>(
      'GET',
      '/models/pool-2026-05',
    );
    expect(created.deployments).toEqual([
      expect.objectContaining({ providerId: 'echo-eu', priority: 0 }),
      expect.objectContaining({ providerId: 'echo-us', priority: 1 }),
    ]);

    // Settings: a capability and the context window.
    await page.getByLabel('Vision').check();
    await page.getByLabel('Context window').fill('200000');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved').waitFor();

    // Pool: change a weight, add a third deployment (refused until it names a provider entry).
    await page.getByLabel('Weight 1').fill('4');
    await page.getByRole('button', { name: 'Add deployment' }).click();
    await page.getByRole('button', { name: 'Save pool' }).click();
    await page.getByText('Choose a provider entry').waitFor();
    await page.getByRole('button', { name: 'Remove deployment 3' }).click();
    await page.getByRole('button', { name: 'Save pool' }).click();
    await page.getByText('Pool saved').waitFor();

    // Audience: only the team.
    await page.getByLabel('Only chosen teams and keys').check();
    await page.getByRole('combobox', { name: 'Teams' }).click();
    await page.getByRole('option', { name: /search/ }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Save audience' }).click();
    await page.getByText('Audience saved').waitFor();

    const saved = await junction.admin<{
      contextWindow: number;
      capabilities: { vision: boolean };
      audience: { teams: string[] } | null;
      deployments: { weight: number }[];
    }>('GET', '/models/pool-2026-05');
    expect(saved).toMatchObject({ contextWindow: 200000, capabilities: { vision: true } });
    expect(saved.audience?.teams).toEqual([teamId]);
    expect(saved.deployments.map((member) => member.weight)).toEqual([4, 1]);

    // Verify: one row per deployment.
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    const results = page.getByRole('table', { name: 'Result per deployment' });
    await results.waitFor();
    await expect(results.locator('tbody tr').count()).resolves.toBe(2);
    await expect(results.textContent()).resolves.toMatch(/echo-us → echo/);
    await watched.screenshot('models-model-page');

    // Delete, confirmed.
    await page.getByRole('button', { name: 'Delete model' }).click();
    await page.getByRole('dialog', { name: 'Delete model' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('table', { name: 'Models' }).waitFor();
    await page.getByRole('link', { name: 'pool-2026-05' }).waitFor({ state: 'detached' });
    await watched.close();
  });

  it('moves an embedding alias only with the re-embedding confirmation, shows its history and rolls it back', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await signInWithPassword(page, junction.url, OPERATOR.email, OPERATOR.password);
    await openModels(page, junction.url);

    await page.getByRole('button', { name: 'Move vectors' }).click();
    const dialog = page.getByRole('dialog', { name: 'Move alias vectors' });
    const move = dialog.getByRole('button', { name: 'Move alias' });
    // Another vector size: refused with the reason.
    await choose(page, 'Target version', /embed-wide/, dialog);
    await dialog.getByText('Different vector size').waitFor();
    await expect(move.getAttribute('aria-disabled')).resolves.toBe('true');
    // Same size, other upstream model: the warning and the confirmation.
    await choose(page, 'Target version', /embed-b/, dialog);
    await dialog.getByText('Re-embedding needed').waitFor();
    await expect(move.getAttribute('aria-disabled')).resolves.toBe('true');
    await dialog.getByLabel('I understand existing embeddings must be re-computed').check();
    await expect(move.getAttribute('aria-disabled')).resolves.toBeNull();
    await move.click();
    await dialog.waitFor({ state: 'hidden' });
    const moved = await junction.admin<{ modelId: string; previousModelId: string }>(
      'GET',
      '/aliases/vectors',
    );
    expect(moved).toMatchObject({ modelId: 'embed-b', previousModelId: 'embed-a' });

    await page.getByRole('button', { name: 'History of vectors' }).click();
    const history = page.getByRole('table', { name: 'History of vectors' });
    await history.waitFor();
    await expect(history.locator('tbody tr').count()).resolves.toBe(2);
    await expect(history.locator('tbody tr').first().textContent()).resolves.toMatch(/Moved/);
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Roll back vectors' }).click();
    const rollback = page.getByRole('dialog', { name: 'Roll back vectors' });
    await rollback.getByRole('button', { name: 'Roll back' }).click();
    await rollback.waitFor({ state: 'hidden' });
    const back = await junction.admin<{ modelId: string }>('GET', '/aliases/vectors');
    expect(back.modelId).toBe('embed-a');

    // Create an alias: a model's name is refused next to the field.
    await page.getByRole('button', { name: 'Create alias' }).first().click();
    const create = page.getByRole('dialog', { name: 'Create alias' });
    await create.getByLabel('Alias name').fill('embed-a');
    await choose(page, 'Version', /acme-llm-2026-04/, create);
    await create.getByRole('button', { name: 'Create alias' }).click();
    await create.getByText('embed-a is already the name of a model', { exact: false }).first().waitFor();
    await create.getByLabel('Alias name').fill('acme-llm');
    await create.getByRole('button', { name: 'Create alias' }).click();
    await create.waitFor({ state: 'hidden' });
    await expect(page.getByRole('table', { name: 'Aliases' }).textContent()).resolves.toMatch(/acme-llm/);
    await watched.screenshot('models-aliases');
    await watched.close();
  });

  it('shows a viewer every change disabled, with the missing permission', async () => {
    const watched = await browser.newPage();
    const { page } = watched;
    await signInWithPassword(page, junction.url, VIEWER.email, VIEWER.password);
    await openModels(page, junction.url);
    await expect(
      page.getByRole('button', { name: 'Add model' }).first().getAttribute('aria-disabled'),
    ).resolves.toBe('true');
    await expect(
      page.getByRole('button', { name: 'Move vectors' }).getAttribute('aria-disabled'),
    ).resolves.toBe('true');
    await openModels(page, junction.url, 'acme-llm-2026-03');
    for (const name of ['Delete model', 'Verify', 'Save audience']) {
      await expect(
        page.getByRole('button', { name, exact: true }).getAttribute('aria-disabled'),
      ).resolves.toBe('true');
    }
    // The pool is a table for roles that may not change it.
    await expect(page.getByRole('button', { name: 'Add deployment' }).count()).resolves.toBe(0);
    await watched.close();
  });
});
