/**
 * Findings about the identity, tenant and cloud: no credentials, client not found or disabled,
 * tenant not found or in another cloud, the secret path, and tenant policy.
 */
import { CLOUDS, CLOUD_NAMES, cloudOfAudience, type Cloud, type CloudName } from '../entra/clouds.js';
import { GITHUB_COM_ISSUER } from '../github/issuers.js';
import type { CatalogEntry } from './catalog.js';
import { PERMISSIONS_YAML } from './run-findings.js';
import type { Evidence, Finding } from './finding.js';
import { shellQuote } from './text-diff.js';
import {
  TENANT_PLACEHOLDER,
  catalogFix,
  causesSection,
  createFix,
  finding,
  listCommand,
  maskedNote,
  q,
  tick,
  type Case,
} from './entra-case.js';

// ---- identity, tenant, cloud ------------------------------------------------------------------

export function noCredentials(c: Case, entry: CatalogEntry): Finding {
  const name = c.inc.details.appName;
  const body: (string | undefined)[] = [
    (
      `The identity ${name ? q(name) : ''}${c.clientIdKnown ? ` (client id ${c.clientId})` : ''} has no ` +
      `federated identity credentials at all, so no token can match.`
    ).replace('identity  ', 'identity '),
    maskedNote(c),
  ];
  const given = c.ctx.credentials ?? [];
  if (given.length)
    body.push(
      `You gave ${given.length} credential(s) (${given.map((k) => q(k.name)).join(', ')}), but Entra says ` +
        `this client has none: they belong to another app or managed identity than this client id, or they ` +
        `were created moments ago.`,
    );
  body.push(...causesSection(c, entry));
  const fix = [
    `See which credentials the client id has: ${listCommand(c)}`,
    `For a user-assigned managed identity: az identity federated-credential list --identity-name ` +
      `<IDENTITY-NAME> --resource-group <RESOURCE-GROUP> -o table`,
    `Find whose client id this is: az ad app show --id ${shellQuote(c.clientId)} --query "{name:displayName, ` +
      `appId:appId}"  or  az identity list --query "[?clientId=='${c.clientId}'].{name:name, ` +
      `resourceGroup:resourceGroup}"`,
  ];
  if (c.subject) fix.push('Add the credential this job needs:', createFix(c, c.subject));
  return finding(c, {
    id: entry.findingId,
    title: `${name ? q(name) : 'The app'} has no federated credentials`,
    body,
    fix,
    evidence: [{ label: 'client id', actual: c.clientIdKnown ? c.clientId : '(unknown)' }],
  });
}

export function clientNotFound(c: Case, entry: CatalogEntry): Finding {
  const directory = c.inc.tenant ?? c.tenant;
  const msgClient = c.inc.clientId;
  const body: (string | undefined)[] = [
    `No application or managed identity with client id ${c.clientIdKnown ? c.clientId : '(masked)'} exists ` +
      `in the tenant ${directory ? q(directory) : '(masked)'}.`,
    maskedNote(c),
  ];
  if (c.ctx.clientId && msgClient && c.ctx.clientId !== msgClient)
    body.push(`Note: the request sent client id ${msgClient}, but the workflow's client-id is ${c.ctx.clientId}.`);
  const looksGuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(c.clientId);
  if (c.clientIdKnown && !looksGuid)
    body.push(
      `${q(c.clientId)} is not a GUID: an application (client) id always is. The input probably holds a ` +
        `name, a secret name or an empty value.`,
    );
  body.push(...causesSection(c, entry));
  const id = shellQuote(c.clientId);
  const fix = [
    `Find out what the id is (run in the tenant you expect it in):`,
    `  az ad app show --id ${id} --query "{name:displayName, appId:appId, signInAudience:signInAudience}"   ` +
      `# an app registration?`,
    `  az ad sp show --id ${id} --query "{name:displayName, ` +
      `appOwnerOrganizationId:appOwnerOrganizationId}"   # its service principal (tenant that owns the app)`,
    `  az identity list --query "[?clientId=='${c.clientId}'].{name:name, resourceGroup:resourceGroup, ` +
      `tenantId:tenantId}"   # a user-assigned managed identity?`,
    `Then set the workflow's tenant-id to the tenant where it exists (az account show --query tenantId -o ` +
      `tsv), and client-id to its Application (client) ID (not the object id).`,
  ];
  const evidence: Evidence[] = [{ label: 'client id', actual: c.clientIdKnown ? c.clientId : '(masked)' }];
  if (directory) evidence.push({ label: 'tenant', actual: directory });
  return finding(c, {
    id: entry.findingId,
    title:
      `Client id ${c.clientIdKnown ? c.clientId : '(masked)'} was not found in ` +
      `${directory && !directory.includes('***') ? `tenant ${q(directory)}` : 'the tenant'}`,
    body,
    fix,
    evidence,
  });
}

export function tenantNotFound(c: Case, entry: CatalogEntry): Finding {
  const tenant = c.inc.tenant ?? c.tenant;
  const host = (c.ctx.authorityHost ?? c.cloud.authorityHost).replace(/\/+$/, '');
  const current = CLOUD_NAMES.map((n) => CLOUDS[n]).find((k) => k.authorityHost === host) ?? c.cloud;
  const others = CLOUD_NAMES.map((n) => CLOUDS[n]).filter((k) => k.authorityHost !== host);
  const body: (string | undefined)[] = [];
  const t = tenant ?? TENANT_PLACEHOLDER;
  if (entry.code === 900023) {
    body.push(
      `The tenant identifier ${tenant !== undefined ? q(tenant) : '(masked)'} is neither a GUID nor a domain ` +
        `name, so Entra cannot look it up.`,
    );
    if (tenant !== undefined) {
      if (tenant === '' || tenant === 'undefined' || tenant === 'null')
        body.push(
          'It is empty or "undefined": the secret or variable that should hold it has no value in this run ' +
            '(fork pull requests and Dependabot runs get no secrets; a misspelled secret name gives an empty ' +
            'string).',
        );
      else if (/[{}<>$]/.test(tenant)) body.push('It still contains a template placeholder.');
      else if (/\s|["']|^https?:/.test(tenant))
        body.push(
          'It carries extra characters (spaces, quotes or a URL); the tenant input must be the bare GUID or domain.',
        );
    }
  } else {
    body.push(
      `${host} does not know the tenant ${tenant !== undefined ? q(tenant) : '(masked)'} (${current.label}). ` +
        `Either the tenant id is wrong, or the tenant lives in another Azure cloud.`,
    );
    if (tenant && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(tenant))
      body.push(
        'It is a well-formed GUID; make sure it is the Directory (tenant) ID, not a subscription id or the ' +
          "app's object id.",
      );
    else if (tenant && /\./.test(tenant))
      body.push('It is a domain name: it must be a domain verified in the tenant (e.g. contoso.onmicrosoft.com).');
    const otherClouds = others.map(
      (k) => `${k.label} — environment: ${k.name}, authority ${k.authorityHost}, audience ${k.exchangeAudience}`,
    );
    body.push(`If the tenant is in another cloud: ${otherClouds.join('; ')}.`);
  }
  body.push(maskedNote(c));
  body.push(...causesSection(c, entry, { skipRuledOut: true }));
  const fix = [
    'Ask each cloud whether it knows the tenant (an answer with "issuer" means yes):',
    ...[current, ...others].map(
      (k) =>
        `  curl -s ${k.authorityHost}/${shellQuote(t)}/v2.0/.well-known/openid-configuration | jq -r ` +
        `'.issuer // .error_description'`,
    ),
    'Then set the login step to the tenant and its cloud, e.g.:',
    `    - uses: azure/login@v2\n      with:\n        tenant-id: \${{ vars.AZURE_TENANT_ID }}\n        ` +
      `environment: ${others[0]?.name ?? 'azurecloud'}   # only for a tenant in ` +
      `${others[0]?.label ?? 'another cloud'}\n        audience: ` +
      `${others[0]?.exchangeAudience ?? c.cloud.exchangeAudience}`,
  ];
  const evidence: Evidence[] = [
    { label: 'tenant', actual: tenant ?? '(masked)' },
    { label: 'authority host', actual: host },
  ];
  return finding(c, {
    id: entry.findingId,
    title:
      entry.code === 900023
        ? `Tenant identifier ${tenant !== undefined ? q(tenant) : ''} is malformed`.replace('  ', ' ')
        : `Tenant ${tenant !== undefined ? q(tenant) : '(masked)'} was not found at ${host}`,
    body,
    fix,
    evidence,
  });
}

// The initial domain of a tenant names its cloud (docs: Entra national clouds).
const TENANT_DOMAIN_CLOUD: ReadonlyArray<readonly [RegExp, CloudName]> = [
  [/\.onmschina\.cn$/i, 'azurechinacloud'],
  [/\.onmicrosoft\.us$/i, 'azureusgovernment'],
  [/\.onmicrosoft\.com$/i, 'azurecloud'],
];

export function cloudOfTenantDomain(tenant: string | undefined): Cloud | undefined {
  const hit = tenant ? TENANT_DOMAIN_CLOUD.find(([re]) => re.test(tenant)) : undefined;
  return hit ? CLOUDS[hit[1]] : undefined;
}

/** 90002 for a tenant whose domain names another cloud: the login went to the wrong cloud. */
export function tenantInOtherCloud(c: Case, home: Cloud): Finding {
  const host = (c.ctx.authorityHost ?? c.cloud.authorityHost).replace(/\/+$/, '');
  const tenant = c.inc.tenant ?? c.tenant ?? '';
  return finding(c, {
    id: 'cloud-mismatch',
    title: `Tenant ${q(tenant)} is in ${home.label}, but the login went to ${c.cloud.label}`,
    body: [
      `${host} does not know ${q(tenant)}: its domain belongs to ${home.label}, whose authority is ` +
        `${home.authorityHost}.`,
      maskedNote(c),
    ],
    fix: [
      `Log in to ${home.label}: in azure/login set 'environment: ${home.name}' and 'audience: ` +
        `${home.exchangeAudience}'; with the Azure CLI, az cloud set -n ${CLOUD_CLI_NAME[home.name]}.`,
      `The federated credential's audience must then be ${home.exchangeAudience}.`,
    ],
    evidence: [
      { label: 'tenant', actual: tenant },
      { label: 'authority host', actual: host, expected: home.authorityHost },
    ],
  });
}

const CLOUD_CLI_NAME: Record<CloudName, string> = {
  azurecloud: 'AzureCloud',
  azureusgovernment: 'AzureUSGovernment',
  azurechinacloud: 'AzureChinaCloud',
};

export function cloudMismatch(c: Case, entry: CatalogEntry): Finding {
  const host = (c.ctx.authorityHost ?? c.cloud.authorityHost).replace(/\/+$/, '');
  const body: (string | undefined)[] = [entry.meaning, `Authority used: ${host} (${c.cloud.label}).`];
  if (c.audience) {
    const ac = cloudOfAudience(c.audience);
    body.push(`Token audience: ${c.audience}${ac ? ` (${ac.label})` : ''}.`);
  }
  body.push(...causesSection(c, entry, { skipRuledOut: true }));
  const target = entry.code === 900440 ? CLOUDS.azurecloud : entry.code === 50049 ? c.cloud : CLOUDS.azureusgovernment;
  const fix = [
    ...catalogFix(c, entry),
    'In the workflow:',
    `    - uses: azure/login@v2\n      with:\n        environment: ${target.name}\n        audience: ` +
      `${target.exchangeAudience}`,
    `and the federated credential's audience must be ${target.exchangeAudience}.`,
  ];
  return finding(c, {
    id: entry.findingId,
    title: entry.title,
    body,
    fix,
    evidence: [{ label: 'authority host', actual: host }],
  });
}

export function clientDisabled(c: Case, entry: CatalogEntry): Finding {
  const name = c.inc.details.appName;
  const id = shellQuote(c.clientId);
  return finding(c, {
    id: entry.findingId,
    title: `Application ${name ? q(name) : c.clientIdKnown ? c.clientId : ''} is disabled`.replace('  ', ' '),
    body: [
      `The service principal of ` +
        `${name ? q(name) : 'the app'}${c.clientIdKnown ? ` (client id ${c.clientId})` : ''} has sign-in ` +
        `disabled; the federated credential is not the problem.`,
      maskedNote(c),
      ...causesSection(c, entry, { skipRuledOut: true }),
    ],
    fix: [
      `Check: az ad sp show --id ${id} --query "{name:displayName, accountEnabled:accountEnabled}"`,
      `Re-enable (needs Cloud Application Administrator or the owner): az ad sp update --id ${id} --set ` +
        `accountEnabled=true`,
      'Portal: Entra admin center → Enterprise applications → the app → Properties → "Enabled for users to ' +
        'sign-in?" → Yes. If Microsoft disabled it, only Microsoft support can re-enable it.',
    ],
    evidence: [{ label: 'client id', actual: c.clientIdKnown ? c.clientId : '(masked)' }],
  });
}

export function notFederation(c: Case, entry: CatalogEntry): Finding {
  const body: (string | undefined)[] = [
    `Entra received a client secret${c.clientIdKnown ? ` for app ${c.clientId}` : ''}, not the GitHub OIDC ` +
      `token: this run did not use workload identity federation at ` +
      `all${entry.code === 7000222 ? ', and the secret has expired' : ''}.`,
    maskedNote(c),
    ...causesSection(c, entry, { skipRuledOut: true }),
  ];
  const fix = [
    'Switch the login to OIDC (no secret):',
    [
      ...PERMISSIONS_YAML.split('\n'),
      'steps:',
      '  - uses: azure/login@v2',
      '    with:',
      '      client-id: ${{ vars.AZURE_CLIENT_ID }}',
      '      tenant-id: ${{ vars.AZURE_TENANT_ID }}',
      '      subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}',
      '      # remove `creds: ${{ secrets.AZURE_CREDENTIALS }}`',
    ].join('\n'),
  ];
  if (c.subject) fix.push('and give the app a federated credential for this job:', createFix(c, c.subject));
  else
    fix.push(
      `and give the app a federated credential for the job's subject: az ad app federated-credential create ` +
        `--id ${shellQuote(c.clientId)} --parameters ` +
        `'{"name":"github-actions","issuer":"${GITHUB_COM_ISSUER}",` +
        `"subject":"repo:OWNER/REPO:environment:NAME","audiences":["${c.cloud.exchangeAudience}"]}'`,
    );
  return finding(c, {
    id: entry.findingId,
    title: entry.title,
    body,
    fix,
    evidence: [{ label: 'client id', actual: c.clientIdKnown ? c.clientId : '(masked)' }],
  });
}

// ---- tenant policy ----------------------------------------------------------------------------

export function tenantPolicy(c: Case, entry: CatalogEntry): Finding {
  const body: (string | undefined)[] = [];
  const evidence: Evidence[] = [];
  let title = entry.title;
  const adminOnly =
    'This is a tenant-wide policy: no change to the federated credential or the workflow fixes it; a tenant ' +
    'administrator must.';
  if (entry.code === 7002381) {
    const d = c.inc.details;
    const claim = d.requiredClaim ?? 'enterprise';
    const allowed = d.allowedValues ?? [];
    const tokenValue = c.claims ? (c.claims[claim] === undefined ? undefined : String(c.claims[claim])) : d.actualValue;
    title =
      `The tenant requires the token's ${tick(claim)} claim to be ` +
      `${allowed.length ? allowed.map(q).join(', ') : 'an allowed value'}`;
    body.push(
      `A tenant policy accepts GitHub tokens only when their ${tick(claim)} claim is one of ` +
        `${allowed.length ? allowed.map(q).join(', ') : '(the allowed values)'}. ` +
        (tokenValue === undefined || tokenValue === ''
          ? `This token has ${c.claims ? `no ${tick(claim)} claim` : `an empty ${tick(claim)} claim`}: ` +
            (c.claims?.repository_owner
              ? `the repository owner ${tick(c.claims.repository_owner)} is `
              : 'the repository is owned by ') +
            `a personal account or an organisation outside a GitHub Enterprise (GitHub sets ` +
            `${tick('enterprise')} only for enterprise-owned organisations).`
          : `This token's ${tick(claim)} is ${q(tokenValue)}, which is not allowed.`),
    );
    if (c.inc.presented.issuer?.endsWith('/'))
      body.push('(Entra prints the issuer with a trailing slash in this message; that is not an issuer mismatch.)');
    const row: Evidence = {
      label: `${claim} claim`,
      actual: tokenValue === undefined ? '(absent)' : tokenValue === '' ? "''" : tokenValue,
    };
    if (allowed.length) row.expected = allowed.join(' | ');
    evidence.push(row);
    body.push(adminOnly);
  } else if (entry.code === 53003) {
    body.push(
      'A Conditional Access policy for workload identities blocked this sign-in. The federated credential ' +
        'matched; the policy refused the token (named locations: GitHub-hosted runners use changing IP ' +
        'addresses; or service principal risk).',
      adminOnly,
    );
    if (c.inc.correlationId) body.push(`The admin can find the sign-in by correlation id ${c.inc.correlationId}.`);
  } else {
    body.push(entry.meaning, adminOnly);
    if (c.issuer) body.push(`Presented issuer: ${c.issuer}.`);
  }
  body.push(...causesSection(c, entry, { skipRuledOut: true, omit: ['tenant-admin-policy'] }));
  // The sign-in log step, with the ids filled in, where the catalog has its generic one.
  const signIn =
    `For the admin: Entra admin center → Monitoring & health → Sign-in logs → Service principal sign-ins` +
    `${c.clientIdKnown ? `, application id ${c.clientId}` : ''}` +
    `${c.inc.correlationId ? `, correlation id ${c.inc.correlationId}` : ''}: ` +
    `the entry names the policy that refused the sign-in.`;
  const steps = catalogFix(c, entry);
  const at = steps.findIndex((step) => step.includes('Sign-in logs'));
  const fix = steps.filter((step) => !step.includes('Sign-in logs'));
  fix.splice(at === -1 ? fix.length : at, 0, signIn);
  return finding(c, { id: entry.findingId, title, body, fix, evidence });
}
