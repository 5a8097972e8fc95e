#!/usr/bin/env node
import{readFileSync as O,writeSync as S}from"node:fs";var o="azure-federation-check";function w(e){return e.replace(/##\[/g,"## [")}function E(e){return e.replace(/^(\s*):(?=:)/,"$1: ")}function f(e){return e.replace(/\r\n?/g,`
`).split(`
`).map(n=>E(w(n))).join(`
`)}var C=new RegExp(["\\x1b\\[[0-?]*[ -/]*[@-~]?","\\x1b\\][^\\x07\\x1b\\x9c\\n]*(?:\\x07|\\x1b\\\\|\\x9c)?","\\x1b[PX^_][^\\x1b\\x9c\\n]*(?:\\x1b\\\\|\\x9c)?","\\x1b[\\s\\S]?","\\x9b[0-?]*[ -/]*[@-~]?","[\\x90\\x98\\x9d\\x9e\\x9f][^\\x07\\x1b\\x9c\\n]*(?:\\x07|\\x1b\\\\|\\x9c)?"].join("|"),"g"),I=/[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,$=/^\x1b\[(?:1|2|22|31|32|33|36|39)m$/;function g(e,n=!1){return e.replace(/\r\n/g,`
`).replace(C,r=>n&&$.test(r)?r:"").replace(I,r=>n&&r==="\x1B"?r:"")}function m(e){return e instanceof Error&&e.name==="CliError"&&typeof e.exitCode=="number"}function p(e){let n=e.env.GITHUB_ACTIONS==="true",r=i=>{let t=g(i,!0);return n?f(t):t},a=i=>{let t="";return{write:d=>{t+=d;let l=t.lastIndexOf(`
`);l<0||(i(r(t.slice(0,l+1))),t=t.slice(l+1))},flush:()=>{t&&i(r(t)),t=""}}},u=a(e.stdout),s=a(e.stderr);return{io:Object.defineProperties(Object.defineProperties({},Object.getOwnPropertyDescriptors(e)),{stdout:{value:u.write,enumerable:!0},stderr:{value:s.write,enumerable:!0}}),flush:()=>{u.flush(),s.flush()}}}var F=50*1024*1024;var c={explain:{summary:"Explain every Microsoft Entra (AADSTS) error in a log, JSON body or message, with its cause and fix",load:async()=>(await import("./cli-explain.js")).explainCommand},claims:{summary:"Decode a GitHub OIDC token: header, claims and lifetime (never the signature)",load:async()=>(await import("./cli-claims.js")).claimsCommand},check:{summary:"Compare a token with federated identity credentials offline, as Entra would",load:async()=>(await import("./cli-check.js")).checkCommand},audit:{summary:"Audit every workflow in .github/workflows against the credentials: jobs that can never log in, unused credentials",load:async()=>(await import("./cli-audit.js")).auditCommand},trust:{summary:"Who can become these identities: each credential checked against GitHub, SARIF for code scanning",load:async()=>(await import("./cli-trust.js")).trustCommand}},x=`${o}: explain and check GitHub Actions \u2192 Microsoft Entra workload identity federation

Usage:
  ${o} explain [TEXT | --file FILE | -] [--json]
  ${o} claims [--file FILE | -] [--json]
  ${o} check --token-file FILE|- --credentials FILE [--audience A] [--environment CLOUD] [--client-id ID] [--json]
  ${o} audit --credentials FILE [--dir DIR] [--repository O/R] [--template FILE] [--json]
  ${o} trust --credentials FILE [--client-id ID] [--sarif FILE] [--json]

Commands:
${Object.entries(c).map(([e,n])=>`  ${e.padEnd(9)}${n.summary}`).join(`
`)}

Options:
  --json      machine-readable output ({"findings": [...], ...})
  -h, --help  help for a command: ${o} <command> --help

Exit codes: 0 nothing wrong, 1 problems found, 2 bad usage or unreadable input.
`;function R(e){return e==="--help"||e==="-h"||e==="help"}async function T(e,n){let r=p(n);try{return await y(e,r.io)}finally{r.flush()}}async function y(e,n){let[r,...a]=e;if(r===void 0||R(r))return r==="help"&&a[0]&&a[0]in c?y([a[0],"--help"],n):((r===void 0?n.stderr:n.stdout)(x),r===void 0?2:0);let u=Object.hasOwn(c,r)?c[r]:void 0;if(!u)return n.stderr(`${o}: ${r.startsWith("-")?`unknown option ${r}`:`unknown command '${r}'`}

${x}`),2;let s;try{return s=await u.load(),a.some(k)?(n.stdout(s.usage),0):await s.run(a,n)}catch(i){if(m(i))return n.stderr(`${o} ${r}: ${i.message}
${i.showUsage&&s?`
${s.usage}`:""}`),i.exitCode;let t=i instanceof Error?i.message:String(i);return n.stderr(`${o} ${r}: ${(t.split(`
`)[0]??"").trim()||"unexpected error"}
`),2}}function k(e){return e==="--help"||e==="-h"}function v(){return{get isTTY(){return process.stdin.isTTY},[Symbol.asyncIterator]:()=>process.stdin[Symbol.asyncIterator]()}}function h(e){let n,r=!1;return a=>{if(r)return;if(n){n.write(a);return}let u=Buffer.from(a,"utf8"),s=0;try{for(;s<u.length;)s+=S(e,u,s)}catch(i){let t=i.code;if(t==="EPIPE"){r=!0;return}if(t!=="EAGAIN")throw i;n=e===1?process.stdout:process.stderr,n.on("error",d=>{d.code==="EPIPE"&&process.exit(process.exitCode??0)}),n.write(u.subarray(s))}}}async function b(e){return T(e,{stdin:v(),stdout:h(1),stderr:h(2),env:process.env,readFile:async n=>O(n,"utf8"),get isTTY(){return process.stdout.isTTY===!0}})}b(process.argv.slice(2)).then(e=>{process.exitCode=e},e=>{process.stderr.write(`azure-federation-check: ${e instanceof Error?e.message.split(`
`)[0]:String(e)}
`),process.exitCode=2});
