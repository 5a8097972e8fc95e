import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
var i={error:0,warning:1,notice:2};function r(t){return t.map((e,n)=>({f:e,i:n})).sort((e,n)=>i[e.f.severity]-i[n.f.severity]||e.i-n.i).map(({f:e})=>e)}function s(t){return t.some(e=>e.severity==="error")}export{r as a,s as b};
