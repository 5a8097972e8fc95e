import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
import{a as S,e as $,f as O}from"./chunk-LFAUO2J4.js";import{a as w,b as E,c as I,d as k,e as C,f as T}from"./chunk-S4FREXE2.js";import"./chunk-YXKCW47X.js";import{a as x}from"./chunk-YMIT355B.js";import{a as p,b as m}from"./chunk-7TQLCKXV.js";import"./chunk-DYNCWFNK.js";import"./chunk-QNN2HTCJ.js";import{a as g,c as b}from"./chunk-BYZOWJZT.js";import{a as u,b as c,c as f,d as y,e as A,f as j,g as v}from"./chunk-GORPNIVZ.js";import"./chunk-PRRVBAYH.js";import"./chunk-AYJGOGQC.js";import"./chunk-HWFYS474.js";import"./chunk-U4ZYBKE4.js";import"./chunk-JCRXHRQX.js";import"./chunk-DRUOBTAH.js";import"./chunk-OKD7A5RS.js";var D=["permissions:","  id-token: write   # lets the job request the OIDC token","  contents: read"].join(`
`);function l(i,e){let n=i.lastIndexOf(`
`,e)+1,t=i.indexOf(`
`,e);return i.slice(n,t===-1?void 0:t).trim().slice(0,400)}function _(i){let e=w(i),n=[],t=/Unable to get (?:the )?ACTIONS_ID_TOKEN_REQUEST_(?:URL|TOKEN) env variable/.exec(e)??/(?:Failed to fetch federated token from GitHub\. )?Please make sure to give write permissions to id-token in the workflow/.exec(e);t&&n.push({id:"oidc-unavailable",severity:"error",title:"The job could not get a GitHub OIDC token",message:[`The log says: ${l(e,t.index)}`,"The runner sets ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN only when the job has `permissions: id-token: write` (at workflow or job level; a reusable workflow's caller must grant it too).","They are also withheld from pull requests opened from forks and from Dependabot runs, whatever the permissions say."].join(`
`),fix:`Add to the job (or the workflow, or the caller of a reusable workflow):
${D}
For fork pull requests there is no OIDC token: run the Azure steps on push, or on pull_request_target with care.`,evidence:[{label:"log",actual:l(e,t.index)}]});let s=/Not all values are present\. Ensure 'client-id' and 'tenant-id' are supplied\./.exec(e);s&&n.push({id:"input-invalid",severity:"error",title:"azure/login got an empty 'client-id' or 'tenant-id'",message:[`The log says: ${l(e,s.index)}`,"The inputs came from secrets or variables that have no value in this run: a misspelled name, a secret defined in another environment, or a fork pull request / Dependabot run (they get no secrets)."].join(`
`),fix:`Keep the ids in variables (they are not secret and are visible to every run):
  - uses: azure/login@v2
    with:
      client-id: \${{ vars.AZURE_CLIENT_ID }}
      tenant-id: \${{ vars.AZURE_TENANT_ID }}
      subscription-id: \${{ vars.AZURE_SUBSCRIPTION_ID }}
and set them: gh variable set AZURE_CLIENT_ID --body <APPLICATION-CLIENT-ID>`,evidence:[{label:"log",actual:l(e,s.index)}]});let o=/No subscriptions found for [^\n]{0,200}|The subscription of '[^'\n]{0,200}' doesn't exist in cloud '[^'\n]{0,100}'/.exec(e);return o&&n.push({id:"subscription-not-accessible",severity:"error",title:"The login worked, but the identity has no access to the subscription",message:[`The log says: ${l(e,o.index)}`,"The token exchange succeeded (the federated credential is fine); the identity has no Azure role on the subscription, or the subscription id belongs to another tenant or cloud."].join(`
`),fix:`Give the identity a role on the subscription (pick the least role the job needs):
az role assignment create --assignee <APPLICATION-CLIENT-ID> --role Contributor --scope /subscriptions/<SUBSCRIPTION-ID>
or, for a job that needs no subscription, set allow-no-subscriptions: true on azure/login.`,evidence:[{label:"log",actual:l(e,o.index)}]}),n}var F=`Usage: ${u} explain [TEXT | --file FILE | -] [options]

Explains every Microsoft Entra (AADSTS) error in the text: what Entra means, the evidence,
why it happened and the exact fix. The text can be an azure/login log (raw or copied from
the web UI), Entra's JSON answer, an MSAL or Azure CLI error, or a pasted message.
Without TEXT or --file, reads stdin.

Options:
  -f, --file FILE          read the text from FILE ('-' for stdin)
      --token-file FILE    the GitHub OIDC token the error is about (decoded, never printed)
      --credentials FILE   the app's federated credentials (Graph/ARM JSON or YAML, one or a list)
      --client-id ID       the application (client) id, for the commands in fixes
      --tenant-id ID       the tenant id
      --environment CLOUD  azurecloud (default), azureusgovernment or azurechinacloud
      --json               print {"findings": [...], "errors": [...], "context": {...}}
  -h, --help               this help

Exit codes: 1 when an error was found, 0 when none, 2 for bad usage or unreadable input.

Examples:
  ${u} explain --file job.log
  gh run view 123 --log-failed | ${u} explain
  ${u} explain "AADSTS700213: No matching federated identity record found for presented assertion subject 'repo:o/r:environment:prod'."
`,N={file:{value:!0,short:"f"},json:{},...S},ee={summary:"Explain AADSTS errors",usage:F,async run(i,e){let n=A(i,N),t=j(n,"file");if(t!==void 0&&n.positionals.length>0)throw new c("give the text either as an argument or with --file, not both",2,!0);let s;if(t!==void 0?s=await y(e,t,"the text"):n.positionals.length===1&&n.positionals[0]==="-"?s=await f(e,"text"):n.positionals.length>0?s=n.positionals.join(" "):s=await f(e,"text"),!s.trim())throw new c("the text is empty",2);let o=await $(e,n),r=R(s,o);return n.flags.has("json")?e.stdout(`${JSON.stringify(r,null,2)}
`):e.stdout(G(r,v(e))),m(r.findings)?1:0}};function R(i,e={}){let n=I(i),t=E(i),s=[],o=P(i);if(o)s.push(...C(o,L(void 0,e,n)));else for(let r of t)s.push(...T(r,L(r,e,n)));return s.push(..._(i)),{findings:p(U(s)),errors:t.map(({raw:r,index:a,...d})=>d),context:{...n,tokens:n.tokens.map(({index:r,...a})=>a)}}}function P(i){let e=i.trim();if(!e.startsWith("{")||!e.endsWith("}"))return;let n=x(void 0,e);return n&&(n.codes.length>0||n.error==="invalid_tenant")?n:void 0}function U(i){let e=new Set;return i.filter(n=>{let t=`${n.id}\0${n.code??""}\0${n.title}`;return e.has(t)?!1:(e.add(t),!0)})}var h=i=>i!==void 0&&i.trim()!==""&&!i.includes("***")?i.trim():void 0;function L(i,e,n){let t={},s=e.clientId??h(n.clientId),o=e.tenantId??h(n.tenantId),r=e.cloud??(n.environment?b(n.environment):void 0);s&&(t.clientId=s),o&&(t.tenantId=o),r&&(t.cloud=r),e.credentials&&(t.credentials=e.credentials);let a=e.claims??z(i,n,r?.exchangeAudience??g.azurecloud.exchangeAudience);return a&&(t.claims=a),t}function z(i,e,n){let t=i?k(e,i.index):e.tokens[e.tokens.length-1];if(!t?.issuer||!t.subject||t.issuer.includes("***")||t.subject.includes("***"))return;let s=t.audience??h(e.audience)??n,o=i?.presented??{};if(o.subject&&o.subject!==t.subject||o.issuer&&o.issuer!==t.issuer&&o.issuer!==`${t.issuer}/`||o.audience&&o.audience!==s)return;let r={iss:t.issuer,sub:t.subject,aud:s};return t.jobWorkflowRef&&(r.job_workflow_ref=t.jobWorkflowRef),r}function G(i,e){let n=[],t=[...new Set(i.findings.map(d=>d.code).filter(d=>!!d))],s=i.findings.filter(d=>d.severity==="error").length;i.findings.length===0?n.push("No Microsoft Entra (AADSTS) error found in the text."):n.push(e.bold(`Found ${s} problem${s===1?"":"s"}${t.length?` (${t.join(", ")})`:""}.`)+(i.errors.length>1?` ${i.errors.length} distinct Entra errors in the text.`:""));let o=i.context,r=o.tokens[o.tokens.length-1],a=[];return r?.issuer&&a.push(`  token issuer      ${r.issuer}`),r?.subject&&a.push(`  token subject     ${r.subject}`),r?.audience&&a.push(`  token audience    ${r.audience}`),r?.jobWorkflowRef&&a.push(`  job_workflow_ref  ${r.jobWorkflowRef}`),o.environment&&a.push(`  environment       ${o.environment}`),o.loginMethod&&a.push(`  login method      ${o.loginMethod}`),o.masked.length&&a.push(`  masked as ***     ${o.masked.join(", ")}`),o.tokens.length>1&&a.push(`  (${o.tokens.length} token details blocks in the log; each error is read with the one before it)`),a.length&&n.push("",e.dim(`From the log${o.action?` (${o.action})`:""}:`),...a),i.findings.length&&n.push("",O(i.findings,e).trimEnd()),`${n.join(`
`)}
`}export{ee as explainCommand,R as explainText};
