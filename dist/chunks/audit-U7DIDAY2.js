import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
import{b as B,d as C,f as H}from"./chunk-BYX7WETO.js";import{a as _,b as T,c as A,d as F}from"./chunk-L34VDLTW.js";import{a as g}from"./chunk-HWFYS474.js";import{a as $}from"./chunk-7TQLCKXV.js";import"./chunk-DYNCWFNK.js";import{a as G,b as a,d as U,e as k,f as r,g as z}from"./chunk-GORPNIVZ.js";import{c as S}from"./chunk-7T57HERO.js";import"./chunk-H2H5Q7VZ.js";import"./chunk-JCRXHRQX.js";import"./chunk-TMXOFKVS.js";import{a as E}from"./chunk-BYZOWJZT.js";import"./chunk-GLF63JPY.js";import"./chunk-AYJGOGQC.js";import"./chunk-DAOAIJ4R.js";import"./chunk-DRUOBTAH.js";import"./chunk-OKD7A5RS.js";import{readFile as x}from"node:fs/promises";import{join as D,resolve as K}from"node:path";var Y=`Usage: ${G} audit --credentials FILE [options]

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
`,J={credentials:{value:!0},dir:{value:!0},repository:{value:!0},"repository-id":{value:!0},"owner-id":{value:!0},template:{value:!0},"fetch-template":{},issuer:{value:!0},audience:{value:!0},environment:{value:!0},"default-branch":{value:!0},"client-id":{value:!0},json:{}};async function M(m){try{let o=await x(D(m,".git","config"),"utf8"),t=/\[remote "origin"\][^[]*?url\s*=\s*(\S+)/.exec(o);return t?F(t[1]):void 0}catch{return}}var se={summary:"Audit every workflow against the credentials",usage:Y,async run(m,o){let t=k(m,J);if(t.positionals.length)throw new a(`unexpected argument '${t.positionals[0]}'`,2,!0);let b=r(t,"credentials");if(b===void 0)throw new a("--credentials is required",2,!0);let p=K(r(t,"dir")??"."),l=r(t,"repository")??o.env.GITHUB_REPOSITORY??await M(p);if(!l||!/^[^/\s]+\/[^/\s]+$/.test(l))throw new a(l?`--repository '${l}' is not OWNER/REPO`:"cannot tell the repository: pass --repository OWNER/REPO",2,!0);let[w,y]=l.split("/"),N=B(r(t,"environment"))??E.azurecloud,j=await C(o,b),c,f=r(t,"template");if(f!==void 0){let e=await U(o,f,"the subject template");try{c=_(JSON.parse(e))}catch(n){throw new a(`${f}: ${n.message}`,2)}}else if(t.flags.has("fetch-template")){let e=o.env.GITHUB_TOKEN??o.env.GH_TOKEN;if(!e)throw new a("--fetch-template needs GITHUB_TOKEN (or GH_TOKEN) in the environment",2);let n=await T(e,w,y,o.env.GITHUB_API_URL??"https://api.github.com");if(!n.ok)throw new a(n.message,2);c=n.value}let L=r(t,"audience")??N.exchangeAudience,P=r(t,"issuer")??g,I=r(t,"repository-id")??o.env.GITHUB_REPOSITORY_ID,O=r(t,"owner-id")??o.env.GITHUB_REPOSITORY_OWNER_ID,u=await A(p,j,{owner:w,repo:y,...I?{repoId:I}:{},...O?{ownerId:O}:{},...c?.immutable!==void 0?{immutable:c.immutable}:{},...c?{template:c.template}:{},defaultBranch:r(t,"default-branch")??"main",issuer:P,audience:L});if(u.missing)throw new a(`no .github/workflows folder in ${p}`,2);let v=r(t,"client-id"),d=$(u.findings).map(e=>v?{...e,fix:e.fix.split(S).join(v)}:e),h=u.workflows.flatMap(e=>e.jobs.map(n=>({file:n.prediction.file,job:n.prediction.jobId,line:n.prediction.jobLine,subjects:n.matches.map(i=>({subject:i.subject.subject,trigger:i.subject.trigger,certain:i.subject.certain,line:i.subject.sourceLine,matchedBy:[...i.full,...i.partial].map(s=>s.name)}))})));if(t.flags.has("json"))o.stdout(`${JSON.stringify({repository:l,findings:d,jobs:h},null,2)}
`);else{let e=z(o),n=[e.bold(`Audit of ${l}: ${u.workflows.length} workflow(s), ${h.length} job(s) logging in to Azure, ${j.length} credential(s)`),""];for(let i of h){n.push(`${i.file}:${i.line}  job ${e.bold(i.job)}`);for(let s of i.subjects){let R=s.matchedBy.length>0;n.push(`  ${R?e.green("\u2713"):e.red("\u2717")} ${s.subject}  ${e.dim(`(${s.trigger}${s.certain?"":", uncertain"}; line ${s.line})`)}${R?e.dim(`  \u2190 ${s.matchedBy.join(", ")}`):""}`)}}d.length?n.push("",H(d.map(i=>i.location?{...i,title:`${i.location.file}:${i.location.line??""}: ${i.title}`}:i),e).trimEnd()):n.push("",e.green(e.bold("\u2713 Every job that logs in to Azure matches a credential."))),o.stdout(`${n.join(`
`)}
`)}return d.some(e=>e.severity==="error")?1:0}};export{se as auditCommand};
