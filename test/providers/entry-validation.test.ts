/**
 * Provider entries of every type through the admin API: regional defaults, region checked against the base URL
 * host, credentials of each shape (API key, AWS access key, Google service account) written once and shown only
 * as a hint, BYOK passthrough storing nothing, and auth methods each type accepts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFieldError } from '../admin/admin-helpers.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import type { ProviderView } from './helpers.js';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_KEY_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const SERVICE_ACCOUNT = {
  type: 'service_account',
  project_id: 'acme-prod',
  private_key_id: 'a1b2c3d4e5f6a7b8c9d0',
  private_key: PRIVATE_KEY_PEM,
  client_email: 'junction@acme-prod.iam.gserviceaccount.com',
  token_uri: 'https://oauth2.googleapis.com/token',
};
const AWS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway.close();
});

const create = (body: Record<string, unknown>) => gateway.admin<ProviderView>('POST', '/providers', body);

describe('regional entries', () => {
  it('fills the Bedrock base URL from the region and stores the AWS key write-only', async () => {
    const created = await ok(
      create({
        id: 'bedrock-aws-us-east-1',
        type: 'bedrock',
        displayName: 'Bedrock',
        region: 'us-east-1',
        awsCredentials: AWS,
      }),
    );
    expect(created).toMatchObject({ authMethod: 'aws-sigv4', region: 'us-east-1', baseUrl: null });
    expect(created.credential?.hint).toBe('AKIA****MPLE');
    expect(JSON.stringify(created)).not.toContain(AWS.secretAccessKey);
    await ok(gateway.admin('POST', '/providers/bedrock-aws-us-east-1/verify'));
    const read = await ok(gateway.admin<ProviderView>('GET', '/providers/bedrock-aws-us-east-1'));
    expect(JSON.stringify(read)).not.toContain(AWS.secretAccessKey);
    expect(read.health.status).toBe('deferred');
  });

  it('requires the region of a Bedrock entry', async () => {
    const result = await create({
      id: 'bedrock-nowhere',
      type: 'bedrock',
      displayName: 'B',
      awsCredentials: AWS,
    });
    expect(expectFieldError(result, 'region')).toMatch(/needs its region/);
  });

  it('refuses a region that differs from the one in the base URL host, naming both', async () => {
    const result = await create({
      id: 'bedrock-mismatch',
      type: 'bedrock',
      displayName: 'B',
      region: 'us-west-2',
      baseUrl: 'https://bedrock-runtime.eu-west-1.amazonaws.com/openai/v1',
      awsCredentials: AWS,
    });
    const message = expectFieldError(result, 'region');
    expect(message).toContain('us-west-2');
    expect(message).toContain('eu-west-1');
  });

  it('accepts a private-link host, whose name carries no region to compare', async () => {
    await ok(
      create({
        id: 'bedrock-privatelink-eu-west-1',
        type: 'bedrock',
        displayName: 'B',
        region: 'eu-west-1',
        baseUrl: 'https://bedrock.internal.example.com',
        awsCredentials: AWS,
      }),
    );
  });

  it('checks the region of a Vertex host and takes a service-account key file', async () => {
    const mismatch = await create({
      id: 'vertex-mismatch',
      type: 'vertex',
      displayName: 'V',
      region: 'europe-west4',
      baseUrl: 'https://us-central1-aiplatform.googleapis.com',
      serviceAccount: SERVICE_ACCOUNT,
    });
    expect(expectFieldError(mismatch, 'region')).toContain('us-central1');
    const created = await ok(
      create({
        id: 'vertex-gcp-europe-west4',
        type: 'vertex',
        displayName: 'Vertex',
        region: 'europe-west4',
        serviceAccount: JSON.stringify(SERVICE_ACCOUNT),
      }),
    );
    expect(created.authMethod).toBe('gcp-service-account');
    expect(created.credential?.hint).toContain('@acme-prod.iam.gserviceaccount.com');
    expect(JSON.stringify(created)).not.toContain('PRIVATE KEY');
  });

  it('needs the project of a Vertex entry that authenticates with a bearer token', async () => {
    const base = {
      type: 'vertex',
      displayName: 'V',
      region: 'europe-west4',
      authMethod: 'bearer',
      apiKey: 'ya29.token-0000000000',
    };
    const refused = await create({ id: 'vertex-no-project', ...base });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('config.projectId');
    await ok(create({ id: 'vertex-with-project', ...base, config: { projectId: 'acme-prod' } }));
  });

  it('names the field missing from a service-account key', async () => {
    const { client_email: _, ...withoutEmail } = SERVICE_ACCOUNT;
    const result = await create({
      id: 'vertex-bad-key',
      type: 'vertex',
      displayName: 'V',
      region: 'europe-west4',
      serviceAccount: withoutEmail,
    });
    expect(expectFieldError(result, 'serviceAccount')).toContain('client_email');
  });

  it('refuses a credential of the wrong shape for the auth method', async () => {
    const result = await create({
      id: 'bedrock-with-api-key',
      type: 'bedrock',
      displayName: 'B',
      region: 'us-east-1',
      authMethod: 'aws-sigv4',
      apiKey: 'sk-not-an-aws-key-1234567890',
    });
    expect(expectFieldError(result, 'apiKey')).toContain('awsCredentials');
  });
});

describe('auth methods', () => {
  it('puts an Azure entry on the api-key header and needs its resource URL', async () => {
    const missing = await create({
      id: 'azure-no-url',
      type: 'azure-openai',
      displayName: 'A',
      apiKey: 'a'.repeat(32),
    });
    expect(expectFieldError(missing, 'baseUrl')).toContain('openai.azure.com');
    const created = await ok(
      create({
        id: 'azure-openai-westeurope',
        type: 'azure-openai',
        displayName: 'Azure',
        baseUrl: 'https://acme.openai.azure.com',
        region: 'westeurope',
        apiKey: 'a'.repeat(32),
        config: { apiVersion: '2024-10-21' },
      }),
    );
    expect(created.authMethod).toBe('azure-api-key');
  });

  it('stores nothing for a BYOK passthrough entry, and refuses a credential on it', async () => {
    const created = await ok(
      create({ id: 'openai-byok', type: 'openai', displayName: 'BYOK', authMethod: 'passthrough' }),
    );
    expect(created.credential).toBeNull();
    const refused = await create({
      id: 'openai-byok-with-key',
      type: 'openai',
      displayName: 'BYOK',
      authMethod: 'passthrough',
      apiKey: 'sk-should-not-be-stored-123456',
    });
    expect(expectFieldError(refused, 'apiKey')).toContain('stores no credential');
  });

  it('refuses an auth method the type does not have', async () => {
    const result = await create({
      id: 'anthropic-sigv4',
      type: 'anthropic',
      displayName: 'A',
      authMethod: 'aws-sigv4',
      awsCredentials: AWS,
    });
    expect(expectFieldError(result, 'authMethod')).toContain('anthropic provider authenticates with');
  });

  it('refuses a base URL that ends in a route Junction appends, with the fix', async () => {
    const result = await create({
      id: 'vllm-doubled',
      type: 'openai-compatible',
      displayName: 'vLLM',
      baseUrl: 'http://127.0.0.1:9/v1/chat/completions',
    });
    expect(expectFieldError(result, 'baseUrl')).toContain('use http://127.0.0.1:9/v1');
  });

  it('rotates an AWS key with awsCredentials, and only with them', async () => {
    await ok(
      create({
        id: 'bedrock-rotate-us-east-1',
        type: 'bedrock',
        displayName: 'B',
        region: 'us-east-1',
        awsCredentials: AWS,
      }),
    );
    const wrong = await gateway.admin('POST', '/providers/bedrock-rotate-us-east-1/rotate', {
      apiKey: 'sk-wrong-shape-1234567890',
    });
    expect(wrong.status).toBe(400);
    const rotated = await ok(
      gateway.admin<ProviderView>('POST', '/providers/bedrock-rotate-us-east-1/rotate', {
        awsCredentials: { accessKeyId: 'AKIAROTATEDKEY000042', secretAccessKey: 'rotated-secret-value-0000' },
      }),
    );
    expect(rotated.credential?.hint).toBe('AKIA****0042');
  });
});
