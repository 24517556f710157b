import {
  Alert,
  Button,
  Center,
  Checkbox,
  Code,
  Drawer,
  Group,
  List,
  Loader,
  Radio,
  Select,
  Stack,
  Stepper,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { type ReactNode, useEffect, useState } from 'react';
import { ApiError } from '../../api/ApiError';
import {
  type ConnectionTest,
  type CreatedProvider,
  type ProviderTypeInfo,
  useCreateProvider,
  useEnvironments,
  useProviderTypes,
  useTestConnection,
} from '../../api/providers';
import { ErrorAlert } from '../../components/ErrorAlert';
import { IDENTIFIER_MAX_LENGTH } from '../../lib/identifier';
import { navigate } from '../../lib/navigation';
import { CredentialFields } from './CredentialFields';
import {
  allowsByok,
  apiFieldErrors,
  authMethodLabels,
  type ConnectFormState,
  type CredentialState,
  catalogBaseUrl,
  effectiveAuthMethod,
  type FieldErrors,
  firstStepWithError,
  identifierExample,
  initialConnectForm,
  managedMethods,
  needsRegion,
  regionMismatch,
  STEPS,
  stepOfField,
  toCreateBody,
  toDraft,
  validateStep,
  withRegion,
  withType,
} from './connectForm';
import { DiagnosticText } from './HealthBadge';
import { ModelPicker } from './ModelPicker';

interface ConnectProviderDrawerProps {
  opened: boolean;
  onClose: () => void;
  /** Identifiers already taken (the loaded list), for live validation. */
  existingIds: ReadonlySet<string>;
}

const DEFAULT_ENVIRONMENTS = ['production', 'staging'];

/** The outcome of "Test connection", as text. */
function TestResult({ result }: { result: ConnectionTest }) {
  if (result.status === 'deferred') {
    return (
      <Alert color="blue" variant="light" title="Checked by the first real request">
        <Text size="sm">{result.message}</Text>
      </Alert>
    );
  }
  if (!result.ok) {
    return (
      <Alert color="red" variant="light" title="Connection failed">
        {result.diagnostic ? (
          <DiagnosticText diagnostic={result.diagnostic} />
        ) : (
          <Text size="sm">{result.message}</Text>
        )}
      </Alert>
    );
  }
  return (
    <Alert color="teal" variant="light" title="Connected">
      <Text size="sm">
        {result.verification === 'in-process'
          ? result.message
          : `${result.message}; the provider lists ${result.models.length} model${result.models.length === 1 ? '' : 's'}.`}
      </Text>
    </Alert>
  );
}

/** The connect-provider flow: credential, name and routing, environments, models; one POST saves it all. */
export function ConnectProviderDrawer({ opened, onClose, existingIds }: ConnectProviderDrawerProps) {
  const types = useProviderTypes();
  const environments = useEnvironments();
  const create = useCreateProvider();
  const tester = useTestConnection();
  const [form, setForm] = useState<ConnectFormState>(() => initialConnectForm([]));
  const [environmentsChosen, setEnvironmentsChosen] = useState(false);
  const [active, setActive] = useState(0);
  const [attempted, setAttempted] = useState<ReadonlySet<number>>(new Set());
  const [apiErrors, setApiErrors] = useState<FieldErrors>({});
  const [created, setCreated] = useState<CreatedProvider | null>(null);

  const info: ProviderTypeInfo | undefined = types.data?.find((entry) => entry.type === form.type);
  const environmentIds = (environments.data ?? []).map((environment) => environment.id);

  // Until the person chooses, the entry is active in production and staging (those that exist), else everywhere.
  useEffect(() => {
    if (environmentsChosen || !environments.data) return;
    const ids = environments.data.map((environment) => environment.id);
    const defaults = ids.filter((id) => DEFAULT_ENVIRONMENTS.includes(id));
    setForm((current) => ({ ...current, environments: defaults.length > 0 ? defaults : ids }));
  }, [environments.data, environmentsChosen]);

  const localErrors = (step: number) => validateStep(step, form, info, existingIds);
  /** The problems shown on a step: the identifier's live, the rest once Next was pressed; the API's always. */
  const errorsOfStep = (step: number): FieldErrors => {
    const merged: FieldErrors = {};
    for (const [path, message] of Object.entries(localErrors(step))) {
      if (attempted.has(step) || (path === 'id' && form.id.length > 0)) merged[path] = message;
    }
    for (const [path, message] of Object.entries(apiErrors)) {
      if (stepOfField(path) === step) merged[path] = message;
    }
    return merged;
  };

  /** A change drops the API's complaint about the fields it touches and any earlier test result. */
  const update = (patch: Partial<ConnectFormState>, touches: string[] = Object.keys(patch)) => {
    setForm((current) => ({ ...current, ...patch }));
    setApiErrors((current) => {
      const next = { ...current };
      for (const path of Object.keys(next)) {
        if (touches.some((field) => path === field || path.startsWith(`${field}.`))) delete next[path];
      }
      return next;
    });
    if (touches.some((field) => stepOfField(field) <= 1 && field !== 'displayName')) tester.reset();
  };
  const updateCredential = (patch: Partial<CredentialState>) =>
    update(patch, ['apiKey', 'awsCredentials', 'serviceAccount']);

  const reset = () => {
    setForm(initialConnectForm([]));
    setEnvironmentsChosen(false);
    setActive(0);
    setAttempted(new Set());
    setApiErrors({});
    setCreated(null);
    create.reset();
    tester.reset();
  };
  const close = () => {
    reset();
    onClose();
  };

  /** Shows an API failure on the step holding its field. */
  const showApiError = (error: unknown) => {
    const fields = apiFieldErrors(error);
    if (error instanceof ApiError && error.code === 'conflict' && /identifier/.test(error.detail)) {
      fields.id = error.detail;
    }
    setApiErrors(fields);
    const step = firstStepWithError(fields);
    if (step >= 0) setActive(step);
  };

  const next = () => {
    setAttempted((current) => new Set([...current, active]));
    if (Object.keys(localErrors(active)).length > 0) return;
    setActive((step) => Math.min(step + 1, STEPS.length - 1));
  };

  const testConnection = () => {
    if (!info) return;
    for (const step of [0, 1]) {
      if (Object.keys(localErrors(step)).length > 0) {
        setAttempted((current) => new Set([...current, step]));
        setActive(step);
        return;
      }
    }
    create.reset();
    tester.mutate(toDraft(form, info), { onError: showApiError });
  };

  const connect = () => {
    if (!info) return;
    const steps = STEPS.map((_, index) => index);
    setAttempted(new Set(steps));
    const failing = steps.find((step) => Object.keys(localErrors(step)).length > 0);
    if (failing !== undefined) {
      setActive(failing);
      return;
    }
    tester.reset();
    create.mutate(toCreateBody(form, info), {
      onSuccess: (answer) => {
        setCreated(answer);
        setActive(STEPS.length);
      },
      onError: showApiError,
    });
  };

  const stepError = (step: number) => Object.keys(errorsOfStep(step)).length > 0;
  const mutationError = create.error ?? tester.error;
  const problem = mutationError ? (
    <ErrorAlert
      error={mutationError}
      title={create.error ? 'Could not connect the provider' : 'Could not test the connection'}
    />
  ) : null;

  let body: ReactNode;
  if (types.isPending) {
    body = (
      <Center py="xl">
        <Loader aria-label="Loading provider types" />
      </Center>
    );
  } else if (types.isError) {
    body = (
      <ErrorAlert error={types.error} title="Could not load provider types">
        <Button size="xs" variant="light" color="red" mt="sm" onClick={() => types.refetch()}>
          Retry
        </Button>
      </ErrorAlert>
    );
  } else {
    const errors = errorsOfStep(active);
    body = (
      <Stack>
        <Stepper active={active} onStepClick={setActive} allowNextStepsSelect={false} size="sm">
          <Stepper.Step label={STEPS[0]} color={stepError(0) ? 'red' : undefined}>
            <CredentialStep
              form={form}
              types={types.data}
              info={info}
              errors={errors}
              onType={(type) => {
                const chosen = types.data.find((entry) => entry.type === type);
                if (chosen) {
                  setForm((current) => withType(current, chosen));
                  setApiErrors({});
                  tester.reset();
                }
              }}
              update={update}
              updateCredential={updateCredential}
            />
          </Stepper.Step>
          <Stepper.Step label={STEPS[1]} color={stepError(1) ? 'red' : undefined}>
            {info ? <RoutingStep form={form} info={info} errors={errors} update={update} /> : null}
          </Stepper.Step>
          <Stepper.Step label={STEPS[2]} color={stepError(2) ? 'red' : undefined}>
            <Stack>
              {environments.isPending ? (
                <Loader size="sm" aria-label="Loading environments" />
              ) : environments.isError ? (
                <ErrorAlert error={environments.error} title="Could not load environments" />
              ) : (
                <Checkbox.Group
                  label="Environments"
                  description="API keys of these environments may route to this provider; it is invisible to the others."
                  value={form.environments}
                  onChange={(value) => {
                    setEnvironmentsChosen(true);
                    update({ environments: value });
                  }}
                  error={errors.environments}
                >
                  <Stack gap={6} mt="xs">
                    {environmentIds.map((id) => (
                      <Checkbox
                        key={id}
                        value={id}
                        label={id}
                        description={
                          environments.data?.find((environment) => environment.id === id)?.description
                        }
                      />
                    ))}
                  </Stack>
                </Checkbox.Group>
              )}
              <Switch
                label="Enabled"
                description="A disabled entry is kept but receives no traffic."
                checked={form.enabled}
                onChange={(event) => update({ enabled: event.currentTarget.checked })}
              />
            </Stack>
          </Stepper.Step>
          <Stepper.Step label={STEPS[3]} color={stepError(3) ? 'red' : undefined}>
            {info ? (
              <Stack>
                <DeferredNote form={form} info={info} />
                <Group>
                  <Button variant="light" onClick={testConnection} loading={tester.isPending}>
                    Test connection
                  </Button>
                  <Text size="xs" c="dimmed">
                    Checks the endpoint and credential without saving anything.
                  </Text>
                </Group>
                {tester.data ? <TestResult result={tester.data} /> : null}
                <ModelPicker
                  discovered={tester.data?.models ?? []}
                  picked={form.models}
                  onChange={(models) => update({ models })}
                  errors={errors}
                  embeddings={info.embeddings}
                />
              </Stack>
            ) : null}
          </Stepper.Step>
          <Stepper.Completed>
            {created ? (
              <Completed
                created={created}
                onOpen={() => {
                  const id = created.id;
                  close();
                  navigate('providers', id);
                }}
                onClose={close}
              />
            ) : null}
          </Stepper.Completed>
        </Stepper>
        {active < STEPS.length ? (
          <>
            {problem}
            <Group justify="space-between">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Group>
                {active > 0 ? (
                  <Button variant="default" onClick={() => setActive((step) => step - 1)}>
                    Back
                  </Button>
                ) : null}
                {active < STEPS.length - 1 ? (
                  <Button onClick={next}>Next</Button>
                ) : (
                  <Button onClick={connect} loading={create.isPending}>
                    Connect
                  </Button>
                )}
              </Group>
            </Group>
          </>
        ) : null}
      </Stack>
    );
  }

  return (
    <Drawer opened={opened} onClose={close} title="Connect provider" position="right" size="xl">
      {body}
    </Drawer>
  );
}

interface StepProps {
  form: ConnectFormState;
  errors: FieldErrors;
  update: (patch: Partial<ConnectFormState>, touches?: string[]) => void;
}

function CredentialStep({
  form,
  types,
  info,
  errors,
  onType,
  update,
  updateCredential,
}: StepProps & {
  types: ProviderTypeInfo[];
  info: ProviderTypeInfo | undefined;
  onType: (type: string) => void;
  updateCredential: (patch: Partial<CredentialState>) => void;
}) {
  const managed = info ? managedMethods(info) : [];
  const byokHeader = info?.apiKeyHeader?.name ?? 'authorization';
  return (
    <Stack>
      <Select
        label="Provider type"
        placeholder="Choose a provider type"
        data={types.map((entry) => ({ value: entry.type, label: entry.displayName }))}
        value={form.type || null}
        onChange={(value) => value && onType(value)}
        allowDeselect={false}
        error={errors.type}
        description={info?.description}
        searchable
        required
      />
      {info && info.wire === 'in-process' ? (
        <Text size="sm" c="dimmed">
          This provider answers inside Junction: it needs no credential.
        </Text>
      ) : null}
      {info && info.wire !== 'in-process' ? (
        <>
          {allowsByok(info) && managed.length > 0 ? (
            <Radio.Group
              label="Credential"
              value={form.credentialMode}
              onChange={(value) =>
                update({ credentialMode: value as ConnectFormState['credentialMode'] }, ['authMethod'])
              }
            >
              <Stack gap={6} mt="xs">
                <Radio
                  value="managed"
                  label="Managed credential"
                  description="Junction stores it encrypted and attaches it to every request."
                />
                <Radio
                  value="byok"
                  label="BYOK passthrough"
                  description={`Nothing is stored: each caller sends its own provider key (in x-junction-provider-key), forwarded in the ${byokHeader} header.`}
                />
              </Stack>
            </Radio.Group>
          ) : null}
          {form.credentialMode === 'managed' ? (
            <>
              {managed.length > 1 ? (
                <Select
                  label="Authentication"
                  data={managed.map((method) => ({ value: method, label: authMethodLabels[method] }))}
                  value={form.authMethod}
                  onChange={(value) =>
                    value &&
                    update(
                      {
                        authMethod: value as ConnectFormState['authMethod'],
                        apiKey: '',
                        accessKeyId: '',
                        secretAccessKey: '',
                        sessionToken: '',
                        serviceAccount: '',
                      },
                      ['authMethod', 'apiKey', 'awsCredentials', 'serviceAccount'],
                    )
                  }
                  allowDeselect={false}
                  error={errors.authMethod}
                />
              ) : null}
              <CredentialFields
                method={form.authMethod}
                value={form}
                onChange={updateCredential}
                errors={errors}
              />
            </>
          ) : (
            <Alert color="blue" variant="light" title="BYOK passthrough">
              <Text size="sm">
                No credential is stored for this entry. Callers send their own provider key with each request;
                the first real request validates it.
              </Text>
            </Alert>
          )}
        </>
      ) : null}
    </Stack>
  );
}

function RoutingStep({ form, info, errors, update }: StepProps & { info: ProviderTypeInfo }) {
  const example = identifierExample(info.type, form.region);
  const mismatch = regionMismatch(form);
  const catalogDefault = catalogBaseUrl(info, form.region);
  const regionRequired = needsRegion(info);
  return (
    <Stack>
      <TextInput
        label="Identifier"
        description={`Lower case letters, digits and hyphens, starting with a letter; cannot be changed later. Name it <vendor>-<cloud>-<region>, e.g. ${example}, so regional entries sort together.`}
        placeholder={example}
        value={form.id}
        onChange={(event) => update({ id: event.currentTarget.value })}
        error={errors.id}
        maxLength={IDENTIFIER_MAX_LENGTH}
        autoComplete="off"
        spellCheck={false}
        required
      />
      <TextInput
        label="Display name"
        placeholder={`${info.displayName}${form.region ? ` (${form.region})` : ''}`}
        value={form.displayName}
        onChange={(event) => update({ displayName: event.currentTarget.value })}
        error={errors.displayName}
        required
      />
      <TextInput
        label="Region"
        description={
          regionRequired
            ? 'Required: the base URL and request signing follow it.'
            : 'Optional: where this endpoint runs (used for naming and residency).'
        }
        placeholder={
          info.type === 'vertex' ? 'europe-west4' : info.type === 'azure-openai' ? 'westeurope' : 'us-east-1'
        }
        value={form.region}
        onChange={(event) => {
          const region = event.currentTarget.value;
          update(withRegion(form, info, region), ['region', 'baseUrl']);
        }}
        error={errors.region}
        required={regionRequired}
      />
      {info.wire !== 'in-process' ? (
        <TextInput
          label="Base URL"
          description={
            info.defaultBaseUrl
              ? `Catalog default: ${info.defaultBaseUrl}. Override it for a regional, self-managed or private-link address.`
              : `This provider type has no default address, e.g. ${info.baseUrlExample ?? 'https://llm.internal/v1'}.`
          }
          placeholder={catalogDefault || info.baseUrlExample || info.defaultBaseUrl || ''}
          value={form.baseUrl}
          onChange={(event) =>
            update({ baseUrl: event.currentTarget.value, baseUrlEdited: true }, ['baseUrl', 'region'])
          }
          error={errors.baseUrl}
          required={!info.defaultBaseUrl}
        />
      ) : null}
      {mismatch.warning && !errors.region ? (
        <Alert color="yellow" variant="light" title="Region mismatch?">
          <Text size="sm">{mismatch.warning}</Text>
        </Alert>
      ) : null}
      {form.baseUrlEdited && catalogDefault && form.baseUrl !== catalogDefault ? (
        <Button
          variant="subtle"
          size="compact-sm"
          onClick={() => update({ baseUrl: catalogDefault, baseUrlEdited: false }, ['baseUrl'])}
        >
          Use the catalog default
        </Button>
      ) : null}
      {info.settings.map((setting) => (
        <TextInput
          key={setting.name}
          label={setting.name}
          description={setting.description}
          placeholder={setting.default ?? ''}
          value={form.settings[setting.name] ?? ''}
          onChange={(event) =>
            update({ settings: { ...form.settings, [setting.name]: event.currentTarget.value } }, [
              `config.${setting.name}`,
            ])
          }
          error={errors[`config.${setting.name}`]}
          required={setting.required}
        />
      ))}
    </Stack>
  );
}

/** For types nothing can check ahead (and BYOK entries): the first real request validates them. */
function DeferredNote({ form, info }: { form: ConnectFormState; info: ProviderTypeInfo }) {
  const method = effectiveAuthMethod(form);
  if (info.verification === 'in-process') {
    return (
      <Text size="sm" c="dimmed">
        {info.displayName} answers inside Junction: type any model names to serve.
      </Text>
    );
  }
  if (info.verification === 'deferred' || method === 'passthrough') {
    return (
      <Alert color="blue" variant="light" title="Validated by the first real request">
        <Text size="sm">
          {method === 'passthrough'
            ? 'With BYOK passthrough there is no stored credential to check ahead.'
            : `${info.displayName} cannot be checked ahead of traffic and has no model list to read.`}{' '}
          The entry is saved as deferred; its first real request shows whether it works. Type the upstream
          model names it should serve.
        </Text>
      </Alert>
    );
  }
  return (
    <Text size="sm" c="dimmed">
      Test the connection to list the models the provider offers, then pick those to serve. You can also type
      model names.
    </Text>
  );
}

function Completed({
  created,
  onOpen,
  onClose,
}: {
  created: CreatedProvider;
  onOpen: () => void;
  onClose: () => void;
}) {
  return (
    <Stack>
      <Alert color="teal" variant="light" title="Provider connected">
        <Text size="sm">
          <Code>{created.id}</Code> is saved. Its connection is checked now; the provider page shows the
          result.
        </Text>
      </Alert>
      {created.models && created.models.length > 0 ? (
        <div>
          <Text size="sm" fw={600}>
            Models it serves
          </Text>
          <List size="sm">
            {created.models.map((model) => (
              <List.Item key={model.id}>
                {model.id} {model.created ? '(new logical model)' : '(added to the existing pool)'}
              </List.Item>
            ))}
          </List>
        </div>
      ) : null}
      {created.warnings && created.warnings.length > 0 ? (
        <Alert color="yellow" variant="light" title="Advice">
          <List size="sm">
            {created.warnings.map((warning) => (
              <List.Item key={warning}>{warning}</List.Item>
            ))}
          </List>
        </Alert>
      ) : null}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Close
        </Button>
        <Button onClick={onOpen}>Open provider page</Button>
      </Group>
    </Stack>
  );
}
