import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
function o(n,i){return n.split(`
`).map(t=>t.length?i+t:t).join(`
`)}function d(n,i){return n.severity==="error"?i.red("error"):n.severity==="warning"?i.yellow("warning"):i.cyan("notice")}function g(n,i){let t=[d(n,i),n.code?i.bold(n.code):void 0,i.dim(`[${n.id}]`)].filter(Boolean).join(" "),s=n.message.split(`
`).map(r=>r.startsWith("Entra said:")||r.startsWith("For Microsoft support:")||r.startsWith("Docs:")?i.dim(r):r).join(`
`),e=[t,i.bold(n.title),"",o(s,"  ")];return n.fix.trim()&&e.push("",`  ${i.green(i.bold("Fix:"))}`,o(n.fix,"    ")),`${e.join(`
`)}
`}function a(n,i){return n.map(t=>g(t,i)).join(`
`)}export{a};
