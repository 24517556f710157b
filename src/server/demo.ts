/**
 * `junction serve --demo`: an echo provider, a chat and an embedding model on it, a team and a key, so a
 * newcomer can call Junction with no provider account. Safe to run on every start.
 */
import { eq } from 'drizzle-orm';
import type { ConfigurationPublisher } from '../management/publisher.js';
import { createModel } from '../management/services/models.js';
import { createProvider } from '../management/services/providers.js';
import { createKey, createTeam, revokeKeysNamed } from '../management/services/teams-and-keys.js';
import type { MasterKey } from '../secrets/envelope.js';
import { hashSecret } from '../secrets/hash.js';
import { apiKeys, models, providers, teams } from '../store/schema.js';

export interface DemoSeed {
  key: string;
  chatModel: string;
  embeddingModel: string;
}

const DEMO_PROVIDER = 'demo-echo';
const DEMO_TEAM = 'demo';
const DEMO_KEY_NAME = 'demo key';
export const DEMO_CHAT_MODEL = 'demo-chat';
export const DEMO_EMBEDDING_MODEL = 'demo-embed';

/** Creates whatever part of the demo configuration is missing and returns the key to print. */
export async function seedDemo(
  publisher: ConfigurationPublisher,
  masterKey: MasterKey,
  demoKey: string | undefined,
): Promise<DemoSeed> {
  return publisher.change(async (tx) => {
    const [provider] = await tx
      .select({ id: providers.id })
      .from(providers)
      .where(eq(providers.id, DEMO_PROVIDER));
    if (!provider) {
      await createProvider(tx, masterKey, {
        id: DEMO_PROVIDER,
        type: 'echo',
        displayName: 'Demo (built-in echo)',
        environments: ['production', 'staging'],
      });
    }
    const existing = new Set((await tx.select({ id: models.id }).from(models)).map((row) => row.id));
    if (!existing.has(DEMO_CHAT_MODEL)) {
      await createModel(tx, {
        id: DEMO_CHAT_MODEL,
        kind: 'chat',
        contextWindow: 8192,
        description: 'Echoes the last user message, word by word when streamed',
        capabilities: { streaming: true, tools: false, vision: false, jsonMode: false },
        deployments: [{ providerId: DEMO_PROVIDER, upstreamModel: 'echo' }],
      });
    }
    if (!existing.has(DEMO_EMBEDDING_MODEL)) {
      await createModel(tx, {
        id: DEMO_EMBEDDING_MODEL,
        kind: 'embedding',
        dimension: 256,
        description: 'Deterministic embeddings of dimension 256',
        deployments: [{ providerId: DEMO_PROVIDER, upstreamModel: 'echo-embed' }],
      });
    }
    let [team] = await tx.select({ id: teams.id }).from(teams).where(eq(teams.name, DEMO_TEAM));
    if (!team)
      team = await createTeam(tx, { name: DEMO_TEAM, description: 'Created by junction serve --demo' });
    if (demoKey) {
      const [known] = await tx
        .select({ id: apiKeys.id, revokedAt: apiKeys.revokedAt })
        .from(apiKeys)
        .where(eq(apiKeys.secretHash, hashSecret(demoKey)));
      if (!known)
        await createKey(tx, { name: DEMO_KEY_NAME, teamId: team.id, environment: 'production' }, demoKey);
      else if (known.revokedAt)
        await tx.update(apiKeys).set({ revokedAt: null }).where(eq(apiKeys.id, known.id));
      return { key: demoKey, chatModel: DEMO_CHAT_MODEL, embeddingModel: DEMO_EMBEDDING_MODEL };
    }
    // A generated key cannot be shown again, so each demo start replaces the previous one.
    await revokeKeysNamed(tx, team.id, DEMO_KEY_NAME);
    const created = await createKey(tx, { name: DEMO_KEY_NAME, teamId: team.id, environment: 'production' });
    return { key: created.secret, chatModel: DEMO_CHAT_MODEL, embeddingModel: DEMO_EMBEDDING_MODEL };
  });
}
