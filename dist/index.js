import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
import{a as t}from"./chunks/chunk-YAKDWGQB.js";import"./chunks/chunk-OKD7A5RS.js";var r={stdout:e=>{process.stdout.write(`${e}
`)},env:process.env},o=(process.env.INPUT_MODE??"").trim().toLowerCase(),n=o==="audit"?import("./chunks/audit-mode-UR23B2KQ.js").then(e=>e.runAuditMode(r)):o===""||o==="check"?import("./chunks/run-5CBBUMVJ.js").then(e=>e.runAction(r)):Promise.resolve().then(()=>(process.stdout.write(`${t("error",{title:"Input 'mode' is not valid"},`Input 'mode' is '${o.slice(0,40)}'; use check (default) or audit.

Fix:
    with:
      mode: check`)}
`),1));n.then(e=>{process.exitCode=e},e=>{let s=e instanceof Error?`${e.name}: ${e.message}`:String(e);process.stdout.write(`${t("error",{title:"azure-federation-check failed unexpectedly"},`${s}
Please report this with the run's log (set RUNNER_DEBUG=1 for details).`)}
`),process.env.RUNNER_DEBUG==="1"&&e instanceof Error&&e.stack&&process.stdout.write(`${t("debug",{},e.stack)}
`),process.exitCode=1});
