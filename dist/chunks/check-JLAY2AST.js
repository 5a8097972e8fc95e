import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
import{a as E}from"./chunk-LLHLHDHN.js";import{a as b}from"./chunk-QNN2HTCJ.js";import{d as v,r as I}from"./chunk-PLT72V53.js";import{a as y,m as F,n as A,o as L}from"./chunk-PS55EFV2.js";import{o as O}from"./chunk-2DUWWXRV.js";import{a as g,c,g as C,h as l,i as w}from"./chunk-G3BLT6JS.js";import"./chunk-OKD7A5RS.js";var G=`Usage: ${g} check --token-file FILE|- --credentials FILE [options]

Compares a GitHub OIDC token with federated identity credentials offline, as Entra does
(issuer, subject and audience exact and case-sensitive; flexible expressions evaluated),
and explains the nearest miss with the exact fix. Nothing is sent anywhere.

Options:
      --token-file FILE    the token ('-' for stdin): a bare JWT, {"value": "..."} or "Bearer <jwt>"
      --credentials FILE   the credentials: Graph or ARM shape, one object or a list
                           ({"value": [...]} from Graph, az ad app federated-credential list), JSON or YAML
      --audience A         compare as if the token carried audience A (the audience your login step requests)
      --environment CLOUD  azurecloud (default), azureusgovernment or azurechinacloud
      --client-id ID       the application (client) id, for the commands in fixes
      --job JOB_ID         the workflow job id, for YAML snippets
      --json               print {"findings": [...], "matched": ..., "comparisons": [...], "suggestion": {...}}
  -h, --help               this help

Exit codes: 0 a credential matches, 1 none matches, 2 bad usage or unreadable input.

Example:
  az ad app federated-credential list --id "$APP_ID" > creds.json
  ${g} check --token-file token.jwt --credentials creds.json --client-id "$APP_ID"
`,M={"token-file":{value:!0},credentials:{value:!0},audience:{value:!0},environment:{value:!0},"client-id":{value:!0},job:{value:!0},json:{}},U={summary:"Compare a token with credentials",usage:G,async run(o,t){let i=C(o,M);if(i.positionals.length)throw new c(`unexpected argument '${i.positionals[0]}'`,2,!0);let n=l(i,"token-file"),a=l(i,"credentials");if(n===void 0)throw new c("--token-file is required",2,!0);if(a===void 0)throw new c("--credentials is required",2,!0);if(n==="-"&&a==="-")throw new c("--token-file and --credentials cannot both read stdin",2,!0);let p=F(l(i,"environment"))??y.azurecloud,{claims:m}=await A(t,n),h=await L(t,a);if(h.length===0)throw new c(`${a}: no credentials in the file`,2);let u=l(i,"audience"),d=u!==void 0?{...m,aud:u}:m,D=l(i,"client-id")?.trim()||v,k=l(i,"job"),$={claims:d,credentials:h,clientId:D,cloud:p};k&&($.jobId=k);let s=E($),f=I(s.findings),x=b(m).join(", ");if(i.flags.has("json"))t.stdout(`${JSON.stringify({findings:f,matched:s.matched?.name??null,token:{iss:d.iss,sub:d.sub,aud:d.aud,...u!==void 0?{audienceFromToken:m.aud}:{}},comparisons:s.comparisons.map(e=>({name:e.credential.name,matched:e.matched,issuer:e.issuer,...e.subject?{subject:e.subject}:{},audience:e.audience,...e.expression?{expression:{value:e.credential.claimsMatchingExpression?.value,matched:e.expression.evaluation?.matched??!1,...e.expression.error?{error:e.expression.error.message}:{}}}:{}})),suggestion:s.suggestion},null,2)}
`);else{let e=w(t),r=[];r.push(e.bold("Token"),`  iss  ${d.iss}`,`  sub  ${d.sub}`,`  aud  ${b(d).join(", ")}`),u!==void 0&&u!==x&&r.push(e.dim(`  (compared with --audience ${u}; the token itself has ${x})`)),r.push("",e.bold(`Credentials (${h.length})`),...P(s,e)),r.push(""),s.matched?r.push(e.green(e.bold(`\u2713 The token matches credential '${s.matched.name}'.`))):r.push(e.red(e.bold(`\u2717 No credential matches this token${s.nearest?`; the nearest is '${s.nearest.credential.name}'`:""}.`))),f.length&&r.push("",O(f,e).trimEnd()),t.stdout(`${r.join(`
`)}
`)}return s.matched?0:1}};function j(o,t){return o?o.equal?t.green("\u2713"):t.red("\u2717"):""}function P(o,t){let i=Math.min(40,Math.max(4,...o.comparisons.map(n=>n.credential.name.length)));return o.comparisons.map(n=>{let a=[`issuer ${j(n.issuer,t)}`];n.subject&&a.push(`subject ${j(n.subject,t)}`),n.expression&&a.push(`expression ${n.expression.error?t.red("invalid"):n.expression.evaluation?.matched?t.green("\u2713"):t.red("\u2717")}`),a.push(`audience ${j(n.audience,t)}`);let p=n.subject?n.subject.expected:n.credential.claimsMatchingExpression?.value??"";return`  ${n.matched?t.green("\u25CF"):"\u25CB"} ${n.credential.name.padEnd(i)}  ${a.join("  ")}  ${t.dim(p)}`})}export{U as checkCommand};
