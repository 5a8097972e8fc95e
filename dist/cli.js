#!/usr/bin/env node
import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
import{a as t,b as c}from"./chunks/chunk-GORPNIVZ.js";import"./chunks/chunk-OKD7A5RS.js";var a={explain:{summary:"Explain every Microsoft Entra (AADSTS) error in a log, JSON body or message, with its cause and fix",load:async()=>(await import("./chunks/explain-Q6USQDZB.js")).explainCommand},claims:{summary:"Decode a GitHub OIDC token: header, claims and lifetime (never the signature)",load:async()=>(await import("./chunks/claims-7CKXEGZQ.js")).claimsCommand},check:{summary:"Compare a token with federated identity credentials offline, as Entra would",load:async()=>(await import("./chunks/check-Q5LCAT5G.js")).checkCommand},audit:{summary:"Audit every workflow in .github/workflows against the credentials: jobs that can never log in, unused credentials",load:async()=>(await import("./chunks/audit-WEMWGX3C.js")).auditCommand}},m=`${t}: explain and check GitHub Actions \u2192 Microsoft Entra workload identity federation

Usage:
  ${t} explain [TEXT | --file FILE | -] [--json]
  ${t} claims [--file FILE | -] [--json]
  ${t} check --token-file FILE|- --credentials FILE [--audience A] [--environment CLOUD] [--client-id ID] [--json]
  ${t} audit --credentials FILE [--dir DIR] [--repository O/R] [--template FILE] [--json]

Commands:
${Object.entries(a).map(([n,r])=>`  ${n.padEnd(9)}${r.summary}`).join(`
`)}

Options:
  --json      machine-readable output ({"findings": [...], ...})
  -h, --help  help for a command: ${t} <command> --help

Exit codes: 0 nothing wrong, 1 problems found, 2 bad usage or unreadable input.
`;function f(n){return n==="--help"||n==="-h"||n==="help"}async function u(n,r){let[e,...o]=n;if(e===void 0||f(e))return e==="help"&&o[0]&&o[0]in a?u([o[0],"--help"],r):((e===void 0?r.stderr:r.stdout)(m),e===void 0?2:0);let d=Object.prototype.hasOwnProperty.call(a,e)?a[e]:void 0;if(!d)return r.stderr(`${t}: ${e.startsWith("-")?`unknown option ${e}`:`unknown command '${e}'`}

${m}`),2;let i;try{return i=await d.load(),o.some(h)?(r.stdout(i.usage),0):await i.run(o,r)}catch(s){if(s instanceof c)return r.stderr(`${t} ${e}: ${s.message}
${s.showUsage&&i?`
${i.usage}`:""}`),s.exitCode;let p=s instanceof Error?s.message:String(s);return r.stderr(`${t} ${e}: ${(p.split(`
`)[0]??"").trim()||"unexpected error"}
`),2}}function h(n){return n==="--help"||n==="-h"}async function l(n){let{readFile:r}=await import("node:fs/promises");for(let e of[process.stdout,process.stderr])e.on("error",o=>{o.code==="EPIPE"&&process.exit(process.exitCode??0)});return u(n,{stdin:process.stdin,stdout:e=>{process.stdout.write(e)},stderr:e=>{process.stderr.write(e)},env:process.env,readFile:e=>r(e,"utf8"),isTTY:process.stdout.isTTY===!0})}l(process.argv.slice(2)).then(n=>{process.exitCode=n},n=>{process.stderr.write(`azure-federation-check: ${n instanceof Error?n.message.split(`
`)[0]:String(n)}
`),process.exitCode=2});
