// JSON Schema of a ruleset file; ajv validates every file against it before anything else reads it.

const stringList = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

const matchSpec = {
  $id: 'MatchSpec',
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    command: {
      type: 'array',
      minItems: 1,
      items: { anyOf: [{ type: 'string', minLength: 1 }, { ...stringList, minItems: 1 }] },
    },
    flags: {
      type: 'object',
      propertyNames: { pattern: '^-' },
      additionalProperties: { anyOf: [{ type: 'boolean' }, { type: 'string', minLength: 1 }] },
    },
    args: { type: 'string', minLength: 1 },
    allArgs: { type: 'string', minLength: 1 },
    protectedPath: { const: true },
    argAt: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^[0-9]$' },
      additionalProperties: { type: 'string', minLength: 1 },
    },
    env: {
      type: 'object',
      additionalProperties: { anyOf: [{ type: 'boolean' }, { type: 'string', minLength: 1 }] },
    },
    payload: {
      type: 'object',
      additionalProperties: false,
      required: ['analyzer', 'kinds'],
      properties: { analyzer: { type: 'string' }, kinds: { ...stringList, minItems: 1 } },
    },
    apiHost: { type: 'boolean' },
    any: { type: 'array', minItems: 1, items: { $ref: 'MatchSpec' } },
    unless: { $ref: 'MatchSpec' },
  },
} as const;

const mcpExample = {
  type: 'object',
  additionalProperties: false,
  required: ['tool', 'args'],
  properties: { tool: { type: 'string', pattern: '^mcp__' }, args: { type: 'object' } },
} as const;

const mcpRules = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'severity', 'message', 'servers', 'tools', 'examples'],
    properties: {
      id: { type: 'string', pattern: '^[a-z0-9-]+:mcp-[a-z0-9][a-z0-9-]*$' },
      severity: { enum: ['low', 'medium', 'high', 'critical'] },
      message: { type: 'string', minLength: 1 },
      alternative: { type: 'string' },
      blast: { type: 'object', additionalProperties: false, properties: { irreversible: { type: 'boolean' }, backups: { type: 'boolean' } } },
      servers: { ...stringList, minItems: 1 },
      tools: { ...stringList, minItems: 1 },
      args: { type: 'object', additionalProperties: { anyOf: [{ type: 'boolean' }, { type: 'string', minLength: 1 }] } },
      payload: {
        type: 'object',
        additionalProperties: false,
        required: ['analyzer', 'args', 'kinds'],
        properties: { analyzer: { type: 'string' }, args: { ...stringList, minItems: 1 }, kinds: { ...stringList, minItems: 1 } },
      },
      target: { type: 'object', additionalProperties: false, required: ['kind', 'fields'], properties: { kind: { type: 'string' }, fields: stringList } },
      examples: {
        type: 'object',
        additionalProperties: false,
        required: ['match'],
        properties: { match: { type: 'array', minItems: 1, items: mcpExample }, 'no-match': { type: 'array', items: mcpExample } },
      },
    },
  },
} as const;

export const rulesetSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['tool', 'binaries', 'rules'],
  properties: {
    tool: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$' },
    description: { type: 'string' },
    binaries: { ...stringList, minItems: 1 },
    packages: { type: 'object', additionalProperties: { type: 'string' } },
    credentials: {
      type: 'object',
      additionalProperties: false,
      properties: { env: stringList, files: stringList, hosts: stringList },
    },
    grammar: {
      type: 'object',
      additionalProperties: false,
      properties: {
        style: { enum: ['posix', 'go'] },
        valueFlags: stringList,
        aliases: { type: 'object', additionalProperties: { type: 'string', pattern: '^-' } },
        switches: stringList,
        promptSkip: stringList,
        abbreviations: { enum: ['getopt', 'none'] },
        config: { enum: ['git'] },
        longOptions: { type: 'array', items: { type: 'string', pattern: '^--[^=]+=?$' } },
        commandLongOptions: {
          type: 'object',
          additionalProperties: { type: 'array', items: { type: 'string', pattern: '^--[^=]+=?$' } },
        },
        envArgs: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['var'],
            properties: { var: { type: 'string' }, at: { enum: ['after-command', 'start'] } },
          },
        },
        payloads: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            properties: {
              flags: stringList,
              fileFlags: stringList,
              atFileFlags: stringList,
              stdin: { type: 'boolean' },
              stdinUnless: stringList,
              positionals: { type: 'boolean' },
            },
          },
        },
        implicit: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['read'],
            properties: {
              read: { enum: ['payload', 'curl-config', 'wgetrc', 'mysql-options', 'hash'] },
              analyzer: { type: 'string' },
              files: stringList,
              env: stringList,
              flags: stringList,
              disabledBy: stringList,
              disabledByFirst: stringList,
            },
          },
        },
        interactive: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            properties: { command: stringList, unless: stringList, maxArgs: { type: 'integer', minimum: 0 } },
          },
        },
      },
    },
    mcp: mcpRules,
    rules: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'severity', 'message', 'match', 'examples'],
        properties: {
          id: { type: 'string', pattern: '^[a-z0-9-]+:[a-z0-9][a-z0-9-]*$' },
          severity: { enum: ['low', 'medium', 'high', 'critical'] },
          message: { type: 'string', minLength: 1 },
          alternative: { type: 'string' },
          blast: {
            type: 'object',
            additionalProperties: false,
            properties: { irreversible: { type: 'boolean' }, backups: { type: 'boolean' } },
          },
          match: { $ref: 'MatchSpec' },
          examples: {
            type: 'object',
            additionalProperties: false,
            required: ['match'],
            properties: { match: { ...stringList, minItems: 1 }, 'no-match': stringList },
          },
        },
      },
    },
  },
} as const;

export const matchSpecSchema = matchSpec;
