import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
import{appendFileSync as s}from"node:fs";import{randomUUID as o}from"node:crypto";function g(n){return n.replace(/%/g,"%25").replace(/\r/g,"%0D").replace(/\n/g,"%0A")}function p(n){return n.replace(/%/g,"%25").replace(/\r/g,"%0D").replace(/\n/g,"%0A").replace(/:/g,"%3A").replace(/,/g,"%2C")}function l(n,e,r){let t=Object.entries(e).filter(([,i])=>i!==void 0&&i!=="").map(([i,a])=>`${i}=${p(String(a))}`).join(",");return`::${n}${t?` ${t}`:""}::${g(r)}`}function d(n){return n.replace(/\r?\n|\r/g," \u23CE ")}function f(n,e,r,t){return l(n,{title:e.slice(0,255),file:t?.file,line:t?.line,endLine:t?.endLine,col:t?.column},r)}function m(n){return n.split(/\r?\n/).filter(e=>e.length>0).map(e=>`::add-mask::${g(e)}`).join(`
`)}function $(n,e){let r=`ghadelimiter_${o()}`;for(;e.includes(r)||n.includes(r);)r=`ghadelimiter_${o()}`;return`${n}<<${r}
${e}
${r}
`}function x(n,e){return n?(s(n,e,"utf8"),!0):!1}export{l as a,d as b,f as c,m as d,$ as e,x as f};
