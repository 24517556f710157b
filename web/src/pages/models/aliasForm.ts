import type { Alias } from '../../api/aliases';
import type { LogicalModel } from '../../api/models';

// What moving an alias means, decided apart from the JSX.

export interface MoveAssessment {
  /** The target exists and is of the alias's kind. */
  sameKind: boolean;
  /** An embedding alias moving to another model: stored vectors must be re-computed; confirmation required. */
  needsReembedding: boolean;
  /** An embedding target of another vector size: the API refuses it (a new alias is needed). */
  dimensionChanges: boolean;
  /** The upstream models of the two pools differ (the vectors certainly differ). */
  upstreamChanges: boolean;
  /** A reason the move cannot be made, if any. */
  blocked: string | null;
}

const upstreamSet = (model: LogicalModel | undefined) =>
  [...new Set(model?.deployments.map((member) => member.upstreamModel) ?? [])].sort().join('\n');

export function assessMove(
  alias: Alias,
  current: LogicalModel | undefined,
  target: LogicalModel | undefined,
): MoveAssessment {
  if (!target) {
    return {
      sameKind: false,
      needsReembedding: false,
      dimensionChanges: false,
      upstreamChanges: false,
      blocked: 'Choose the version to move to',
    };
  }
  const sameKind = target.kind === alias.kind;
  const embedding = alias.kind === 'embedding';
  const moving = target.id !== alias.modelId;
  const dimensionChanges = embedding && sameKind && target.dimension !== alias.dimension;
  const upstreamChanges = embedding && current !== undefined && upstreamSet(current) !== upstreamSet(target);
  let blocked: string | null = null;
  if (!moving) blocked = `${alias.id} already points at ${target.id}`;
  else if (!sameKind)
    blocked = `${alias.id} serves ${alias.kind} models; ${target.id} is a ${target.kind} model`;
  else if (dimensionChanges) {
    blocked = `${target.id} makes ${target.dimension}-dimensional vectors and ${alias.id} serves ${alias.dimension}-dimensional ones: they cannot share an index. Create a new alias for ${target.id} instead.`;
  }
  return {
    sameKind,
    needsReembedding: embedding && moving && sameKind,
    dimensionChanges,
    upstreamChanges,
    blocked,
  };
}

/** The words for an audit action on an alias. */
export function historyActionLabel(action: string): string {
  switch (action) {
    case 'aliases.create':
      return 'Created';
    case 'aliases.move':
      return 'Moved';
    case 'aliases.rollback':
      return 'Rolled back';
    case 'aliases.update':
      return 'Description changed';
    case 'aliases.delete':
      return 'Deleted';
    case 'config.apply':
      return 'Configuration applied';
    default:
      return action;
  }
}
