import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { Duration } from '../../config/duration.js';
import { Strategy } from '../../contracts/action.js';
import { PLACEHOLDER_NAMES } from './argv-template.js';

const actuatorName = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'expected a lowercase name like "pager-hook"');

export const WebhookActuatorConfig = z
  .object({
    kind: z.literal('webhook'),
    name: actuatorName,
    url: z.url({ protocol: /^https?$/ }),
    /** extra request headers (e.g. an authorization token) */
    headers: z.record(z.string(), z.string()).default({}),
  })
  .strict();

const executable = z
  .string()
  .refine((p) => isAbsolute(p) && !p.includes('\0'), { message: 'expected an absolute path to an executable' });

const argTemplate = z
  .string()
  .max(1024)
  .refine((a) => [...a.matchAll(/\{([^}]*)\}/g)].every((m) => PLACEHOLDER_NAMES.includes(m[1] as string)), {
    message: `placeholders must be one of ${PLACEHOLDER_NAMES.map((p) => `{${p}}`).join(', ')}`,
  });

/** `command`: per strategy, an allowlisted executable and an argv template (never a shell). */
export const CommandActuatorConfig = z
  .object({
    kind: z.literal('command'),
    name: actuatorName,
    /** the only executables this actuator may run (absolute paths) */
    allow: z.array(executable).min(1),
    commands: z.partialRecord(
      Strategy,
      z.object({ exec: executable, args: z.array(argTemplate).default([]) }).strict(),
    ),
    /** wall-clock limit of one run */
    timeout: Duration.prefault('30s'),
    /** targets must match one of these patterns (`*`); empty = any well-formed name */
    targets: z.array(z.string().min(1)).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    for (const [strategy, cmd] of Object.entries(c.commands)) {
      if (cmd && !c.allow.includes(cmd.exec)) {
        ctx.addIssue({
          code: 'custom',
          path: ['commands', strategy, 'exec'],
          message: `${cmd.exec} is not in allow (${c.allow.join(', ')})`,
        });
      }
    }
  });

export const SimActuatorConfig = z.object({ kind: z.literal('sim'), name: actuatorName }).strict();

export const actuatorConfigSchema = z.discriminatedUnion('kind', [
  WebhookActuatorConfig,
  CommandActuatorConfig,
  SimActuatorConfig,
]);
export type ActuatorConfig = z.output<typeof actuatorConfigSchema>;
export type WebhookActuatorConfig = z.output<typeof WebhookActuatorConfig>;
export type CommandActuatorConfig = z.output<typeof CommandActuatorConfig>;
