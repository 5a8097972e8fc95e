import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
var t={error:0,warning:1,notice:2};function r(n){return n.map((e,i)=>({f:e,i})).sort((e,i)=>t[e.f.severity]-t[i.f.severity]||e.i-i.i).map(({f:e})=>e)}function o(n){return n.some(e=>e.severity==="error")}export{r as a,o as b};
