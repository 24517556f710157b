import { ActionIcon, Button, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import type { Team } from '../../api/types';
import { needsTeam, roleOptions } from '../../lib/roles';
import { newRule, type RuleRow, type SsoProblems, shadowedRules } from './ssoForm';

interface RulesEditorProps {
  rules: RuleRow[];
  teams: Team[];
  claim: string;
  /** Per-rule problems, shown once the form was submitted. */
  problems: SsoProblems['rules'];
  onChange: (rules: RuleRow[]) => void;
}

function move<T>(list: readonly T[], from: number, to: number): T[] {
  const copy = [...list];
  const [item] = copy.splice(from, 1);
  if (item !== undefined) copy.splice(to, 0, item);
  return copy;
}

/** The ordered claim value → role (and team) rules; the first rule whose value the claim holds wins. */
export function RulesEditor({ rules, teams, claim, problems, onChange }: RulesEditorProps) {
  const shadowed = shadowedRules(rules);
  const update = (index: number, patch: Partial<RuleRow>) =>
    onChange(rules.map((rule, at) => (at === index ? { ...rule, ...patch } : rule)));
  const teamOptions = teams.map((team) => ({ value: team.id, label: team.name }));
  const claimName = claim.trim() || 'the claim';

  return (
    <Stack gap="xs">
      <div>
        <Text size="sm" fw={500}>
          Rules
        </Text>
        <Text size="xs" c="dimmed">
          Checked in order: the first matching rule wins. A rule matches when “{claimName}” holds its value (a
          group id or name, an app role). Someone no rule matches cannot sign in. Role and team are decided
          again at every sign-in.
        </Text>
      </div>
      {rules.length === 0 ? (
        <Text size="sm" c="dimmed">
          No rules yet: nobody can sign in with single sign-on until a rule gives them a role.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={40}>#</Table.Th>
                <Table.Th>Claim value</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Team</Table.Th>
                <Table.Th aria-label="Order and removal" />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rules.map((rule, index) => {
                const number = index + 1;
                const problem = problems[index] ?? {};
                return (
                  <Table.Tr key={rule.key}>
                    <Table.Td>
                      <Text size="sm" c="dimmed">
                        {number}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <TextInput
                        aria-label={`Rule ${number}: claim value`}
                        placeholder="e.g. junction-admins"
                        value={rule.value}
                        onChange={(event) => update(index, { value: event.currentTarget.value })}
                        error={
                          problem.value ??
                          (shadowed.has(index) ? 'Never used: an earlier rule has this value' : undefined)
                        }
                      />
                    </Table.Td>
                    <Table.Td>
                      <Select
                        aria-label={`Rule ${number}: role`}
                        placeholder="Choose a role"
                        data={roleOptions}
                        value={rule.role}
                        onChange={(role) =>
                          update(index, { role, teamId: needsTeam(role) ? rule.teamId : null })
                        }
                        allowDeselect={false}
                        error={problem.role}
                        comboboxProps={{ width: 380, position: 'bottom-start' }}
                      />
                    </Table.Td>
                    <Table.Td>
                      {needsTeam(rule.role) ? (
                        <Select
                          aria-label={`Rule ${number}: team`}
                          placeholder={teams.length === 0 ? 'Create a team first' : 'Choose a team'}
                          data={teamOptions}
                          value={rule.teamId}
                          onChange={(teamId) => update(index, { teamId })}
                          searchable
                          error={problem.teamId}
                        />
                      ) : (
                        <Text size="sm" c="dimmed">
                          —
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <ActionIcon
                          variant="subtle"
                          aria-label={`Move rule ${number} up`}
                          disabled={index === 0}
                          onClick={() => onChange(move(rules, index, index - 1))}
                        >
                          ↑
                        </ActionIcon>
                        <ActionIcon
                          variant="subtle"
                          aria-label={`Move rule ${number} down`}
                          disabled={index === rules.length - 1}
                          onClick={() => onChange(move(rules, index, index + 1))}
                        >
                          ↓
                        </ActionIcon>
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          aria-label={`Remove rule ${number}`}
                          onClick={() => onChange(rules.filter((_, at) => at !== index))}
                        >
                          Remove
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Group>
        <Button size="xs" variant="light" onClick={() => onChange([...rules, newRule()])}>
          Add rule
        </Button>
      </Group>
    </Stack>
  );
}
