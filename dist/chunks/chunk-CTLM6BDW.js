import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
var u=/\r\n|[\r\n\u2028\u2029\u0085]/g;function i(n){return n.replace(/##\[/g,"## [")}function x(n){return n.replace(/^(\s*):(?=:)/,"$1: ")}function l(n){return x(i(s(n.replace(u," \u23CE "))))}function p(n){return s(n.replace(u,`
`)).split(`
`).map(r=>x(i(r))).join(`
`)}function b(n){return n.replace(/\r\n?/g,`
`).split(`
`).map(r=>x(i(r))).join(`
`)}var o=new RegExp(["\\x1b\\[[0-?]*[ -/]*[@-~]?","\\x1b\\][^\\x07\\x1b\\x9c\\n]*(?:\\x07|\\x1b\\\\|\\x9c)?","\\x1b[PX^_][^\\x1b\\x9c\\n]*(?:\\x1b\\\\|\\x9c)?","\\x1b[\\s\\S]?","\\x9b[0-?]*[ -/]*[@-~]?","[\\x90\\x98\\x9d\\x9e\\x9f][^\\x07\\x1b\\x9c\\n]*(?:\\x07|\\x1b\\\\|\\x9c)?"].join("|"),"g"),g=/[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,a=/^\x1b\[(?:1|2|22|31|32|33|36|39)m$/;function s(n,r=!1){return n.replace(/\r\n/g,`
`).replace(o,e=>r&&a.test(e)?e:"").replace(g,e=>r&&e==="\x1B"?e:"")}function f(n,r=200,e=[]){let t=s(n.split(/\r\n|[\r\n\u2028\u2029\u0085]/)[0]??"").trim();for(let c of e)c&&(t=t.split(c).join("***"));return t.length>r?`${t.slice(0,r)}\u2026 (${t.length-r} more characters)`:t}export{l as a,p as b,b as c,s as d,f as e};
