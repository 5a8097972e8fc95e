import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
import{a as C,b as L}from"./chunk-4SUJ236G.js";import{a as A,b as N,c as F,d as $,e as O,f as _}from"./chunk-M57YDPBL.js";import{a as K}from"./chunk-VM2L2VZ2.js";import"./chunk-AWNHWR44.js";import{a as R}from"./chunk-UUTZ3NSR.js";import{a as E}from"./chunk-525XYFSI.js";import{g as H}from"./chunk-QMRPVYQU.js";import{a as G,b as c,e as U,f as P,g as o,h as S}from"./chunk-AJPOJJEO.js";import"./chunk-CTLM6BDW.js";import"./chunk-TXLPVM2P.js";import"./chunk-KJJY7VHH.js";import"./chunk-JLYAKHMR.js";import"./chunk-M7PC2LMW.js";import"./chunk-JCRXHRQX.js";import"./chunk-3NCTVROQ.js";import"./chunk-OKD7A5RS.js";import{writeFile as j}from"node:fs/promises";var z=`Usage: ${G} trust (--credentials FILE | --graph | --subscription ID) [options]

Who can become these identities? Checks each federated credential against GitHub: a name-form
subject whose owner or repository no longer exists or was renamed (anyone who takes the name can
log in), name-form subjects that should be immutable, environments without protection,
pull_request subjects, expressions that admit any owner, several repositories or every branch,
and issuers that are not GitHub's. Reads GitHub with GITHUB_TOKEN (or GH_TOKEN) when set; what
it could not read is reported as not checked, never as safe.

Options:
      --credentials FILE  the credentials (az ad app federated-credential list ...), JSON or YAML, or
                          {"identities": [{"clientId", "displayName", "tenantId", "credentials": [...]}]}
      --graph             read every app registration of the tenant and its credentials from Microsoft
                          Graph with GRAPH_TOKEN (Application.Read.All), e.g.
                          GRAPH_TOKEN=$(az account get-access-token --resource-type ms-graph --query accessToken -o tsv)
      --subscription ID   read the subscription's user-assigned managed identities from ARM with ARM_TOKEN (Reader)
      --graph-host URL, --arm-host URL   overrides of https://graph.microsoft.com and https://management.azure.com
      --client-id ID      the identity the credentials belong to (for messages and fix commands)
      --tenant-id ID      its tenant
      --sarif FILE        write SARIF 2.1.0 for github/codeql-action/upload-sarif ('-' for stdout)
      --sarif-uri PATH    repository file the alerts point at when a credential has none
                          (default: the --credentials FILE)
      --api-url URL       GitHub's REST API (default GITHUB_API_URL, else https://api.github.com)
      --issuer URL        an issuer that is yours besides GitHub's (your GitHub Enterprise Server)
      --concurrency N     GitHub requests in flight at most (default 8)
      --timeout S         stop asking GitHub after S seconds (default 120)
      --json              print {"findings": [...], "notChecked": [...], "github": {...}}
  -h, --help              this help

Exit codes: 0 nothing to fix, 1 errors found, 2 bad usage or unreadable input.
`,M={credentials:{value:!0},graph:{},subscription:{value:!0},"graph-host":{value:!0},"arm-host":{value:!0},"client-id":{value:!0},"tenant-id":{value:!0},sarif:{value:!0},"sarif-uri":{value:!0},"api-url":{value:!0},issuer:{value:!0},concurrency:{value:!0},timeout:{value:!0},json:{}};function x(s,n,e,r){if(s===void 0)return e;let a=Number(s);if(!Number.isInteger(a)||a<1||a>r)throw new c(`--${n} must be a whole number from 1 to ${r}`,2,!0);return a}async function D(s,n,e){let r=s.env.GRAPH_TOKEN,a=s.env.ARM_TOKEN,d=o(n,"subscription");if(n.flags.has("graph")&&!r)throw new c("--graph needs GRAPH_TOKEN in the environment (az account get-access-token --resource-type ms-graph)",2);if(d!==void 0&&!a)throw new c("--subscription needs ARM_TOKEN in the environment (az account get-access-token)",2);let g=Date.now()+e.timeout*1e3,{fetch:l}=C((b,I)=>H(b,{headers:I,timeoutMs:3e4,maxBytes:8*1024*1024}),{concurrency:e.concurrency,deadline:g}),m=await L({fetcher:l,...e.tenantId?{tenantId:e.tenantId}:{},...n.flags.has("graph")?{graph:{host:o(n,"graph-host")??"https://graph.microsoft.com",token:r}}:{},...d!==void 0?{arm:{host:o(n,"arm-host")??"https://management.azure.com",token:a,subscriptionId:d}}:{}});return e.items.push(...m.items),m.unread}function v(s){return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,"\uFFFD")}var B=s=>({...s,title:v(s.title),message:v(s.message),fix:v(s.fix)}),J="\u2713 Nothing found that someone else could use.",W=s=>({credentials:s.credentials,identities:s.identities}),ae={summary:"Who can become these identities: credentials checked against GitHub, SARIF for code scanning",usage:z,async run(s,n){let e=P(s,M);if(e.positionals.length)throw new c(`unexpected argument '${e.positionals[0]}'`,2,!0);let r=o(e,"credentials"),a=o(e,"subscription");if(r===void 0&&!e.flags.has("graph")&&a===void 0)throw new c("give --credentials FILE, --graph or --subscription ID",2,!0);let d=x(o(e,"concurrency"),"concurrency",8,64),g=x(o(e,"timeout"),"timeout",120,3600),l=o(e,"tenant-id"),m=[];if(r!==void 0){let t=await U(n,r,"the credentials");try{m.push(...await O(t,r==="-"?"stdin":r,{clientId:o(e,"client-id")??"",...l?{tenantId:l}:{}},"file",r==="-"?void 0:r))}catch(i){throw i instanceof E?new c(i.message.replace(/\.$/,""),2):i}}let b=e.flags.has("graph")||a!==void 0?await D(n,e,{concurrency:d,timeout:g,items:m,...l?{tenantId:l}:{}}):[],I=n.env.GITHUB_TOKEN??n.env.GH_TOKEN,q=o(e,"api-url")??n.env.GITHUB_API_URL??"https://api.github.com",h=I?new $(await F(I,q),{concurrency:d,deadline:Date.now()+g*1e3}):void 0,T=e.flags.get("issuer"),u=await A(m,h,{ownIssuers:typeof T=="string"?[T]:[]});for(let t of b)n.stderr(`${G} trust: not read: ${v(t)}
`);let p=o(e,"sarif");if(p!==void 0){let t=o(e,"sarif-uri")??(r===void 0||r==="-"?"azure-federated-credentials.json":r),i=`${JSON.stringify(_(u.findings,u.notChecked,{defaultUri:t}),null,2)}
`;p==="-"?n.stdout(i):await j(p,i).catch(y=>{throw new c(`cannot write the SARIF file ${p}: ${y.code??y.message}`,2)})}let k=N(u.notChecked),w=R([...u.findings.map(({item:t,...i})=>t.location?{...i,location:t.location}:i),...k?[k]:[]]),f=h?{requests:h.stats.requests,shared:h.stats.shared,rateLimitRemaining:h.stats.rateLimitRemaining??null,stopped:h.stats.stopped??null}:null;if(e.flags.has("json")){let t=u.notChecked.map(i=>({clientId:i.item.identity.clientId,credential:i.item.credential.name,reason:i.reason}));p!=="-"&&n.stdout(`${JSON.stringify({...W(u),findings:w,notChecked:t,unread:b,github:f},null,2)}
`)}else if(p!=="-"){let t=S(n),i=t.bold(`Trust audit: ${u.credentials} credential(s) of ${u.identities} identity(ies), ${u.notChecked.length} not checked against GitHub`),y=f?t.dim(`GitHub: ${f.requests} request(s), ${f.shared} answered from an earlier one${f.stopped?`; stopped: ${f.stopped}`:""}`):t.dim("GitHub was not asked (set GITHUB_TOKEN to check names, renames and environments)");n.stdout(`${i}
${y}

${w.length?K(w.map(B),t).trimEnd():t.green(t.bold(J))}
`)}return w.some(t=>t.severity==="error")?1:0}};export{ae as trustCommand};
