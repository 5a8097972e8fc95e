import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
import{a as E,b as T,c as _,d as F}from"./chunk-BBHNRP5R.js";import{b as A,d as B}from"./chunk-2I5Q5UYO.js";import{a as C}from"./chunk-VM2L2VZ2.js";import"./chunk-VXYUJJWX.js";import{a as $}from"./chunk-UUTZ3NSR.js";import"./chunk-525XYFSI.js";import{a as G,b as a,e as U,f as k,g as r,h as z}from"./chunk-AJPOJJEO.js";import"./chunk-CTLM6BDW.js";import"./chunk-XQQEIVRL.js";import"./chunk-DNGM5M6H.js";import"./chunk-TXLPVM2P.js";import{a as g}from"./chunk-KJJY7VHH.js";import"./chunk-PSDNBZSZ.js";import{b as S}from"./chunk-JLYAKHMR.js";import"./chunk-M7PC2LMW.js";import"./chunk-PGMWK5WF.js";import"./chunk-7D3DOB7L.js";import{a as R}from"./chunk-BYZOWJZT.js";import"./chunk-2XCCEO3P.js";import"./chunk-JCRXHRQX.js";import"./chunk-TMXOFKVS.js";import"./chunk-3NCTVROQ.js";import"./chunk-OKD7A5RS.js";import{readFile as x}from"node:fs/promises";import{join as D,resolve as K}from"node:path";var Y=`Usage: ${G} audit --credentials FILE [options]

Reads every workflow in .github/workflows, predicts the subject GitHub will send for each job
that logs in to Azure (per trigger, branch filter, environment, reusable workflow), and matches
it against the credentials as Entra would. Reports jobs that can never log in (with the line to
change and the credential that would fix them), credentials no job can use, wildcards in
classic subjects, typos, and identities at the limit of 20 credentials.

Options:
      --credentials FILE   the identity's credentials (az ad app federated-credential list ...), JSON or YAML
      --dir DIR            the repository's root (default: the current directory)
      --repository O/R     owner/name (default: GITHUB_REPOSITORY, else the git remote 'origin')
      --repository-id N    numeric ids, for immutable subjects (repo:O@ID/R@ID:...)
      --owner-id N
      --template FILE      the subject template: the answer of
                           gh api repos/O/R/actions/oidc/customization/sub, or a JSON list of claim keys
      --fetch-template     read the template from GitHub with GITHUB_TOKEN (needs 'actions: read')
      --issuer URL         the token issuer (default ${g})
      --audience A         the audience the login steps request (default: the cloud's)
      --environment CLOUD  azurecloud (default), azureusgovernment or azurechinacloud
      --default-branch B   for schedule/workflow_dispatch predictions (default main)
      --client-id ID       the application (client) id, for the commands in fixes
      --json               print {"findings": [...], "jobs": [...]}
  -h, --help               this help

Exit codes: 0 every job can log in, 1 problems found, 2 bad usage or unreadable input.
`,J={credentials:{value:!0},dir:{value:!0},repository:{value:!0},"repository-id":{value:!0},"owner-id":{value:!0},template:{value:!0},"fetch-template":{},issuer:{value:!0},audience:{value:!0},environment:{value:!0},"default-branch":{value:!0},"client-id":{value:!0},json:{}};async function M(m){try{let o=await x(D(m,".git","config"),"utf8"),e=/\[remote "origin"\][^[]*?url\s*=\s*(\S+)/.exec(o);return e?F(e[1]):void 0}catch{return}}var se={summary:"Audit every workflow against the credentials",usage:Y,async run(m,o){let e=k(m,J);if(e.positionals.length)throw new a(`unexpected argument '${e.positionals[0]}'`,2,!0);let b=r(e,"credentials");if(b===void 0)throw new a("--credentials is required",2,!0);let p=K(r(e,"dir")??"."),l=r(e,"repository")??o.env.GITHUB_REPOSITORY??await M(p);if(!l||!/^[^/\s]+\/[^/\s]+$/.test(l))throw new a(l?`--repository '${l}' is not OWNER/REPO`:"cannot tell the repository: pass --repository OWNER/REPO",2,!0);let[w,y]=l.split("/"),N=A(r(e,"environment"))??R.azurecloud,j=await B(o,b),c,f=r(e,"template");if(f!==void 0){let t=await U(o,f,"the subject template");try{c=E(JSON.parse(t))}catch(n){throw new a(`${f}: ${n.message}`,2)}}else if(e.flags.has("fetch-template")){let t=o.env.GITHUB_TOKEN??o.env.GH_TOKEN;if(!t)throw new a("--fetch-template needs GITHUB_TOKEN (or GH_TOKEN) in the environment",2);let n=await T(t,w,y,o.env.GITHUB_API_URL??"https://api.github.com");if(!n.ok)throw new a(n.message,2);c=n.value}let H=r(e,"audience")??N.exchangeAudience,L=r(e,"issuer")??g,I=r(e,"repository-id")??o.env.GITHUB_REPOSITORY_ID,v=r(e,"owner-id")??o.env.GITHUB_REPOSITORY_OWNER_ID,u=await _(p,j,{owner:w,repo:y,...I?{repoId:I}:{},...v?{ownerId:v}:{},...c?.immutable!==void 0?{immutable:c.immutable}:{},...c?{template:c.template}:{},defaultBranch:r(e,"default-branch")??"main",issuer:L,audience:H});if(u.missing)throw new a(`no .github/workflows folder in ${p}`,2);let P=r(e,"client-id"),d=S($(u.findings),P),h=u.workflows.flatMap(t=>t.jobs.map(n=>({file:n.prediction.file,job:n.prediction.jobId,line:n.prediction.jobLine,subjects:n.matches.map(i=>({subject:i.subject.subject,trigger:i.subject.trigger,certain:i.subject.certain,line:i.subject.sourceLine,matchedBy:[...i.full,...i.partial].map(s=>s.name)}))})));if(e.flags.has("json"))o.stdout(`${JSON.stringify({repository:l,findings:d,jobs:h},null,2)}
`);else{let t=z(o),n=[t.bold(`Audit of ${l}: ${u.workflows.length} workflow(s), ${h.length} job(s) logging in to Azure, ${j.length} credential(s)`),""];for(let i of h){n.push(`${i.file}:${i.line}  job ${t.bold(i.job)}`);for(let s of i.subjects){let O=s.matchedBy.length>0;n.push(`  ${O?t.green("\u2713"):t.red("\u2717")} ${s.subject}  ${t.dim(`(${s.trigger}${s.certain?"":", uncertain"}; line ${s.line})`)}${O?t.dim(`  \u2190 ${s.matchedBy.join(", ")}`):""}`)}}d.length?n.push("",C(d.map(i=>i.location?{...i,title:`${i.location.file}:${i.location.line??""}: ${i.title}`}:i),t).trimEnd()):n.push("",t.green(t.bold("\u2713 Every job that logs in to Azure matches a credential."))),o.stdout(`${n.join(`
`)}
`)}return d.some(t=>t.severity==="error")?1:0}};export{se as auditCommand};
