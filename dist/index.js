import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
import{e as r,j as n,k as s,l as i}from"./chunks/chunk-WFAGBYHQ.js";import"./chunks/chunk-OKD7A5RS.js";var o={env:process.env};i("github-token");var t=s("mode").toLowerCase(),c=t==="audit"?import("./chunks/audit-mode-VMVOTQW7.js").then(e=>e.runAuditMode(o)):t==="trust"?import("./chunks/trust-mode-NF5XGNDA.js").then(e=>e.runTrustMode(o)):t===""||t==="check"?import("./chunks/run-TPKLBN57.js").then(e=>e.runAction(o)):Promise.resolve().then(()=>(n("Input 'mode' is not valid",`Input 'mode' is '${t.slice(0,40)}'; use check (default), audit or trust.

Fix:
    with:
      mode: check`),1));c.then(e=>{process.exitCode=e},e=>{let u=e instanceof Error?`${e.name}: ${e.message}`:String(e);n("azure-federation-check failed unexpectedly",`${u}
Please report this with the run's log (set RUNNER_DEBUG=1 for details).`),e instanceof Error&&e.stack&&r(e.stack)});
