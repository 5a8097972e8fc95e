#!/usr/bin/env node
import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
import{a as r,c,d as m}from"./chunks/chunk-G3BLT6JS.js";import"./chunks/chunk-OKD7A5RS.js";var a={explain:{summary:"Explain every Microsoft Entra (AADSTS) error in a log, JSON body or message, with its cause and fix",load:async()=>(await import("./chunks/explain-IPY6E64F.js")).explainCommand},claims:{summary:"Decode a GitHub OIDC token: header, claims and lifetime (never the signature)",load:async()=>(await import("./chunks/claims-NPIIIYMY.js")).claimsCommand},check:{summary:"Compare a token with federated identity credentials offline, as Entra would",load:async()=>(await import("./chunks/check-JLAY2AST.js")).checkCommand},audit:{summary:"Audit every workflow in .github/workflows against the credentials: jobs that can never log in, unused credentials",load:async()=>(await import("./chunks/audit-6KHURXU6.js")).auditCommand},trust:{summary:"Who can become these identities: each credential checked against GitHub, SARIF for code scanning",load:async()=>(await import("./chunks/trust-JKALZQMO.js")).trustCommand}},u=`${r}: explain and check GitHub Actions \u2192 Microsoft Entra workload identity federation

Usage:
  ${r} explain [TEXT | --file FILE | -] [--json]
  ${r} claims [--file FILE | -] [--json]
  ${r} check --token-file FILE|- --credentials FILE [--audience A] [--environment CLOUD] [--client-id ID] [--json]
  ${r} audit --credentials FILE [--dir DIR] [--repository O/R] [--template FILE] [--json]
  ${r} trust --credentials FILE [--client-id ID] [--sarif FILE] [--json]

Commands:
${Object.entries(a).map(([n,t])=>`  ${n.padEnd(9)}${t.summary}`).join(`
`)}

Options:
  --json      machine-readable output ({"findings": [...], ...})
  -h, --help  help for a command: ${r} <command> --help

Exit codes: 0 nothing wrong, 1 problems found, 2 bad usage or unreadable input.
`;function h(n){return n==="--help"||n==="-h"||n==="help"}async function y(n,t){let e=m(t);try{return await l(n,e.io)}finally{e.flush()}}async function l(n,t){let[e,...o]=n;if(e===void 0||h(e))return e==="help"&&o[0]&&o[0]in a?l([o[0],"--help"],t):((e===void 0?t.stderr:t.stdout)(u),e===void 0?2:0);let d=Object.hasOwn(a,e)?a[e]:void 0;if(!d)return t.stderr(`${r}: ${e.startsWith("-")?`unknown option ${e}`:`unknown command '${e}'`}

${u}`),2;let i;try{return i=await d.load(),o.some(g)?(t.stdout(i.usage),0):await i.run(o,t)}catch(s){if(s instanceof c)return t.stderr(`${r} ${e}: ${s.message}
${s.showUsage&&i?`
${i.usage}`:""}`),s.exitCode;let f=s instanceof Error?s.message:String(s);return t.stderr(`${r} ${e}: ${(f.split(`
`)[0]??"").trim()||"unexpected error"}
`),2}}function g(n){return n==="--help"||n==="-h"}function w(){return{get isTTY(){return process.stdin.isTTY},[Symbol.asyncIterator]:()=>process.stdin[Symbol.asyncIterator]()}}async function p(n){let{readFile:t}=await import("node:fs/promises");for(let e of[process.stdout,process.stderr])e.on("error",o=>{o.code==="EPIPE"&&process.exit(process.exitCode??0)});return y(n,{stdin:w(),stdout:e=>{process.stdout.write(e)},stderr:e=>{process.stderr.write(e)},env:process.env,readFile:e=>t(e,"utf8"),isTTY:process.stdout.isTTY===!0})}p(process.argv.slice(2)).then(n=>{process.exitCode=n},n=>{process.stderr.write(`azure-federation-check: ${n instanceof Error?n.message.split(`
`)[0]:String(n)}
`),process.exitCode=2});
