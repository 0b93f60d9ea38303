// Which GraphQL mutation fields destroy, as data: field name → effect. The GraphQL analyzer applies
// this table to any endpoint a ruleset points it at; today it holds Railway's public API
// (backboard.railway.com/graphql/v2, schema of railwayapp/cli v5.43.1). Add other APIs' fields here.

/** Named checks on an argument's value that code implements (see graphql-values.ts). */
export type ValueTest =
  /** An environment patch (EnvironmentConfig) marks a service, volume or bucket `isDeleted: true`. */
  | 'patch-deletes-resource'
  /** An environment patch sets a variable or a volume mount to null (removes it). */
  | 'patch-removes-entry'
  /** A RailwayChangeSet (environmentApplyChangeSet) holds a `resource.delete` / `variable.delete` change. */
  | 'changeset-deletes'
  /** A multiRegionConfig where every region has numReplicas 0. */
  | 'all-regions-zero'
  /** An empty list or null. */
  | 'empty';

/** One way a conditional mutation becomes destructive. `kind`/`does` override the entry's. */
export interface WhenClause {
  /** Argument path: `patch`, `input.replace`. */
  arg: string;
  equals?: unknown;
  oneOf?: unknown[];
  test?: ValueTest;
  kind?: string;
  does?: string;
}

export interface FieldEffect {
  /** Finding kind rules select on. */
  kind: string;
  /** What it does, in plain words; `{name}` is filled from `ids`. */
  does: string;
  /** Detail key → argument path whose value identifies what is hit. */
  ids?: Record<string, string>;
  /** The call destroys backups too. */
  backups?: boolean;
  /** Destructive only when one of these holds; a value only known at run time counts as holding. */
  when?: WhenClause[];
  /** Words added when an argument is absent (serviceDelete without environmentId hits every environment). */
  ifAbsent?: Record<string, string>;
}

const byId = (key: string): Record<string, string> => ({ [key]: 'id' });
const access = (does: string, ids: Record<string, string> = {}): FieldEffect => ({ kind: 'access-change', does, ids });
const other = (does: string, ids: Record<string, string> = {}): FieldEffect => ({ kind: 'destructive-mutation', does, ids });
const disruptive = (does: string, ids: Record<string, string> = {}): FieldEffect => ({ kind: 'disruptive', does, ids });

/** Railway public API (names and argument names exactly as in its schema). */
export const RAILWAY_MUTATIONS: Readonly<Record<string, FieldEffect>> = {
  // Data and data-holding resources.
  volumeDelete: { kind: 'volume-delete', does: 'deletes volume {volumeId} with all its data and every backup of it', ids: { volumeId: 'volumeId' }, backups: true },
  volumeInstanceBackupDelete: {
    kind: 'backup-delete', does: 'deletes backup {backupId} of volume instance {volumeInstanceId}',
    ids: { backupId: 'volumeInstanceBackupId', volumeInstanceId: 'volumeInstanceId' }, backups: true,
  },
  volumeInstanceBackupRestore: {
    kind: 'backup-restore', does: 'overwrites the data of volume instance {volumeInstanceId} with backup {backupId}',
    ids: { backupId: 'volumeInstanceBackupId', volumeInstanceId: 'volumeInstanceId', wipeServiceIds: 'wipeServiceIds' },
  },
  volumeInstanceUpdate: {
    kind: 'volume-detach', does: 'changes volume {volumeId}', ids: { volumeId: 'volumeId', environmentId: 'environmentId' },
    when: [
      { arg: 'input.state', oneOf: ['DELETED', 'DELETING'], kind: 'volume-delete', does: 'marks volume {volumeId} deleted' },
      { arg: 'input.serviceId', equals: null, does: 'detaches volume {volumeId} from its service' },
    ],
    ifAbsent: { environmentId: 'in every environment' },
  },
  volumeInstanceBackupScheduleUpdate: {
    kind: 'backups-off', does: 'turns off automatic backups of volume instance {volumeInstanceId}',
    ids: { volumeInstanceId: 'volumeInstanceId' }, when: [{ arg: 'kinds', test: 'empty' }],
  },
  disablePitrForHaCluster: {
    kind: 'backups-off', does: 'disables point-in-time recovery for the Postgres HA cluster of service {serviceId}',
    ids: { projectId: 'input.projectId', environmentId: 'input.environmentId', serviceId: 'input.rootServiceId' },
  },
  projectDelete: { kind: 'project-delete', does: 'deletes project {projectId} at once, with every environment, service and volume', ids: byId('projectId'), backups: true },
  projectScheduleDelete: { kind: 'project-delete', does: 'deletes project {projectId} (after a 48 h grace period), with every environment, service and volume', ids: byId('projectId'), backups: true },
  projectScheduleDeleteForce: { kind: 'project-delete', does: 'deletes project {projectId} now, skipping the grace period', ids: byId('projectId'), backups: true },
  environmentDelete: { kind: 'environment-delete', does: 'deletes environment {environmentId} with every service, volume and variable in it', ids: byId('environmentId'), backups: true },
  workspaceDelete: { kind: 'workspace-delete', does: 'deletes workspace {workspaceId} and all data in it', ids: byId('workspaceId'), backups: true },
  userDelete: { kind: 'account-delete', does: 'deletes the account that owns the token', backups: true },
  serviceDelete: {
    kind: 'service-delete', does: 'deletes service {serviceId} with all its deployments', ids: { serviceId: 'id', environmentId: 'environmentId' },
    ifAbsent: { environmentId: 'from every environment' },
  },
  pluginDelete: { kind: 'data-delete', does: 'deletes database plugin {pluginId}', ids: { pluginId: 'id', environmentId: 'environmentId' } },
  pluginReset: { kind: 'data-delete', does: 'resets database plugin {pluginId} (container and data)', ids: { pluginId: 'id', environmentId: 'input.environmentId' } },
  templateRevert: {
    kind: 'data-delete', does: 'reverts the HA cluster of service {serviceId} to one instance, deleting the member services and their volumes',
    ids: { projectId: 'input.projectId', environmentId: 'input.environmentId', serviceId: 'input.rootServiceId' },
  },
  environmentPatchCommit: {
    kind: 'data-delete', does: 'commits a patch to environment {environmentId}', ids: { environmentId: 'environmentId' },
    when: [
      { arg: 'patch', test: 'patch-deletes-resource', does: 'commits a patch to environment {environmentId} that deletes services, volumes or buckets' },
      { arg: 'patch', test: 'patch-removes-entry', kind: 'variable-delete', does: 'commits a patch to environment {environmentId} that removes variables or volume mounts' },
    ],
  },
  environmentStageChanges: {
    kind: 'data-delete', does: 'stages changes to environment {environmentId}', ids: { environmentId: 'environmentId' },
    when: [
      { arg: 'input', test: 'patch-deletes-resource', does: 'stages deletion of services, volumes or buckets in environment {environmentId}' },
      { arg: 'input', test: 'patch-removes-entry', kind: 'variable-delete', does: 'stages removal of variables or volume mounts in environment {environmentId}' },
    ],
  },
  // The staged patch is not in the request: what it deletes is unknown.
  environmentPatchCommitStaged: other('commits whatever is staged for environment {environmentId} (contents not in this request)', { environmentId: 'environmentId' }),
  environmentApplyChangeSet: {
    kind: 'data-delete', does: 'applies a change set to environment {environmentId} that deletes resources or variables', ids: { environmentId: 'environmentId' },
    when: [{ arg: 'input', test: 'changeset-deletes' }],
  },
  variableCollectionUpsert: {
    kind: 'variable-delete', does: 'replaces the variables of service {serviceId} in environment {environmentId}; every variable not listed is deleted',
    ids: { projectId: 'input.projectId', environmentId: 'input.environmentId', serviceId: 'input.serviceId' },
    when: [{ arg: 'input.replace', equals: true }],
    ifAbsent: { 'input.serviceId': '(no service given: the shared variables)' },
  },
  variableDelete: {
    kind: 'variable-delete', does: 'deletes variable {variable} in environment {environmentId}',
    ids: { variable: 'input.name', projectId: 'input.projectId', environmentId: 'input.environmentId', serviceId: 'input.serviceId' },
    ifAbsent: { 'input.serviceId': '(a shared variable, used by every service)' },
  },
  // Outage: the service stops serving.
  deploymentRemove: { kind: 'deployment-remove', does: 'removes deployment {deploymentId}; the service stops serving', ids: byId('deploymentId') },
  deploymentStop: { kind: 'deployment-remove', does: 'stops deployment {deploymentId}', ids: byId('deploymentId') },
  serviceInstanceUpdate: {
    kind: 'deployment-remove', does: 'takes service {serviceId} offline', ids: { serviceId: 'serviceId', environmentId: 'environmentId' },
    when: [
      { arg: 'input.numReplicas', equals: 0 },
      { arg: 'input.sleepApplication', equals: true, does: 'puts service {serviceId} to sleep' },
      { arg: 'input.multiRegionConfig', test: 'all-regions-zero' },
    ],
    ifAbsent: { environmentId: 'in every environment' },
  },
  // Network endpoints: clients stop reaching the service.
  customDomainDelete: { kind: 'domain-delete', does: 'deletes custom domain {domainId}', ids: byId('domainId') },
  serviceDomainDelete: { kind: 'domain-delete', does: 'deletes service domain {domainId}', ids: byId('domainId') },
  tcpProxyDelete: { kind: 'domain-delete', does: 'deletes TCP proxy {proxyId}', ids: byId('proxyId') },
  privateNetworkEndpointDelete: { kind: 'domain-delete', does: 'deletes private network endpoint {endpointId}', ids: byId('endpointId') },
  privateNetworksForEnvironmentDelete: { kind: 'domain-delete', does: 'deletes every private network of environment {environmentId}', ids: { environmentId: 'environmentId' } },
  railwayDomainDnsRecordDelete: { kind: 'domain-delete', does: 'deletes DNS record {recordId} of {domain}', ids: { domain: 'input.domain', recordId: 'input.recordId' } },
  railwayDomainNameserversSet: other('re-delegates the nameservers of {domain}', { domain: 'input.domain' }),
  // Other configuration that is lost or broken.
  deploymentRollback: other('rolls the service back to deployment {deploymentId}', byId('deploymentId')),
  bucketCredentialsReset: other('resets the credentials of bucket {bucketId}; the old keys stop working', { bucketId: 'bucketId', environmentId: 'environmentId', projectId: 'projectId' }),
  egressGatewayAssociationsClear: other('releases the static egress IPs of service {serviceId}', { serviceId: 'input.serviceId', environmentId: 'input.environmentId' }),
  egressGatewayRollbackFromHA: other('switches service {serviceId} back from HA static egress IPs', { serviceId: 'input.serviceId', environmentId: 'input.environmentId' }),
  deploymentTriggerDelete: other('deletes deployment trigger {triggerId}', byId('triggerId')),
  integrationDelete: other('deletes integration {integrationId}', byId('integrationId')),
  cloudAgentDelete: other('deletes cloud agent {agentId} and its disk', byId('agentId')),
  sandboxCheckpointDelete: other('deletes sandbox checkpoint {checkpointId}', { checkpointId: 'id', environmentId: 'environmentId' }),
  templateDelete: other('deletes template {templateId}', byId('templateId')),
  projectTransfer: other('transfers project {projectId} to another workspace', { projectId: 'projectId' }),
  projectTransferInitiate: other('starts transferring ownership of project {projectId}', { projectId: 'input.projectId' }),
  projectTransferConfirm: other('confirms the transfer of project {projectId}', { projectId: 'input.projectId' }),
  projectTransferToTeam: other('transfers project {projectId} to a team', byId('projectId')),
  updateServiceEdgeRules: { ...other('clears the edge rules of service {serviceId}', { serviceId: 'input.serviceId' }), when: [{ arg: 'input.edgeRules', equals: null }] },
  disableServiceCdn: other('disables the CDN of service {serviceId}, deleting its edge config', { serviceId: 'input.serviceId', environmentId: 'input.environmentId' }),
  serviceDisconnect: other('disconnects service {serviceId} from its repository', byId('serviceId')),
  serviceRemoveUpstreamUrl: other('removes the upstream URL of service {serviceId}', byId('serviceId')),
  pluginResetCredentials: other('resets the credentials of database plugin {pluginId}', byId('pluginId')),
  signalDelete: other('deletes feature flag {flag} and its audit log', { flag: 'input.name' }),
  signalReplace: other('replaces feature flag {flag}, clearing its rules', { flag: 'input.name' }),
  usageLimitSet: other('sets a usage limit; a low hard limit stops every workload', {}),
  // Access and security.
  apiTokenDelete: access('deletes API token {tokenId}', byId('tokenId')),
  projectTokenDelete: access('deletes project token {tokenId}', byId('tokenId')),
  apiTokenCreate: access('creates a new API token (more authority for whoever holds it)'),
  projectTokenCreate: access('creates a new project token', { projectId: 'input.projectId', environmentId: 'input.environmentId' }),
  sessionDelete: access('deletes session {sessionId}', byId('sessionId')),
  passkeyDelete: access('deletes passkey {passkeyId}', byId('passkeyId')),
  twoFactorInfoDelete: access('turns off two-factor authentication for the account'),
  sshPublicKeyDelete: access('deletes SSH key {keyId}', byId('keyId')),
  providerAuthRemove: access('removes a login provider {providerAuthId}', byId('providerAuthId')),
  trustedDomainDelete: access('deletes trusted domain {domainId}', byId('domainId')),
  projectMemberRemove: access('removes user {userId} from project {projectId}', { projectId: 'input.projectId', userId: 'input.userId' }),
  projectMemberUpdate: access('changes the role of user {userId} in project {projectId}', { projectId: 'input.projectId', userId: 'input.userId' }),
  workspaceUserRemove: access('removes user {userId} from workspace {workspaceId}', { workspaceId: 'workspaceId', userId: 'input.userId' }),
  workspacePermissionChange: access('changes the role of user {userId} in workspace {workspaceId}', { workspaceId: 'input.workspaceId', userId: 'input.userId' }),
  projectLeave: access('leaves project {projectId}', byId('projectId')),
  workspaceLeave: access('leaves workspace {workspaceId}', byId('workspaceId')),
  projectInvitationDelete: access('deletes project invitation {invitationId}', byId('invitationId')),
  workspaceTwoFactorEnforcementUpdate: {
    ...access('stops requiring two-factor authentication in workspace {workspaceId}', { workspaceId: 'workspaceId' }),
    when: [{ arg: 'enabled', equals: false }],
  },
  usageLimitRemove: access('removes the spending limit'),
  emailChangeInitiate: access('starts changing the account e-mail address'),
  // Reversible or ephemeral, but still an interruption.
  sandboxDestroy: disruptive('destroys sandbox {sandboxId}', { sandboxId: 'id', environmentId: 'environmentId' }),
  deploymentCancel: disruptive('cancels deployment {deploymentId}', byId('deploymentId')),
  deploymentRestart: disruptive('restarts deployment {deploymentId}', byId('deploymentId')),
  deploymentRedeploy: disruptive('redeploys deployment {deploymentId}', byId('deploymentId')),
  serviceInstanceRedeploy: disruptive('redeploys service {serviceId}', { serviceId: 'serviceId', environmentId: 'environmentId' }),
  variableUpsert: disruptive('overwrites variable {variable} in environment {environmentId}', { variable: 'input.name', environmentId: 'input.environmentId', serviceId: 'input.serviceId' }),
  purgeServiceCache: disruptive('purges the CDN cache of service {serviceId}', { serviceId: 'input.serviceId' }),
  templateUnpublish: disruptive('unpublishes template {templateId}', byId('templateId')),
};

/**
 * Mutation names not in the table that still read like destruction (a field added after the table was
 * written, or another API): reported as `destructive-mutation`, so they are never silently allowed.
 */
export const DESTRUCTIVE_NAME = /delete|remove|destroy|purge|wipe|reset|clear|drop|truncate|erase|revoke|detach|disable|unset|unlink|unpublish|disconnect|rollback|terminate|archive/i;

/** Fields whose names match DESTRUCTIVE_NAME but that destroy nothing (they undo or read). */
export const HARMLESS_FIELDS: ReadonlySet<string> = new Set([
  'projectScheduleDeleteCancel', // cancels a pending project deletion
  'egressGatewayHAMigrationPreview',
  'environmentPreviewChangeSet',
  'userFlagsRemove',
  'featureFlagRemove',
  'projectFeatureFlagRemove',
  'serviceFeatureFlagRemove',
  'signalRuleUnset',
  'botScopeBindingRemove',
  'workspacePolicyDeploySourceAllowlistRemove',
  'observabilityDashboardReset',
  'cancelPitrHaWorkflow',
  'clearPitrHaWorkflowProgress',
  'notificationRuleDelete',
  'userDiscordDisconnect',
  'userBetaLeave',
]);

/** Effect of a mutation field: the table first, then the name heuristic; undefined when harmless. */
export const effectOf = (field: string): FieldEffect | undefined => {
  if (Object.hasOwn(RAILWAY_MUTATIONS, field)) return RAILWAY_MUTATIONS[field];
  if (HARMLESS_FIELDS.has(field) || !DESTRUCTIVE_NAME.test(field)) return undefined;
  return { kind: 'destructive-mutation', does: "is not in blastgate's table, but its name reads like destruction" };
};
