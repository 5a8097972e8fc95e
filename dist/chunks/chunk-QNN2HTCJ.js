import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
function n(r){return Array.isArray(r.aud)?r.aud.map(String):r.aud===void 0?[]:[String(r.aud)]}export{n as a};
