import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
import{a}from"./chunk-R7VY75UM.js";import"./chunk-DK3HEDOT.js";import"./chunk-OKD7A5RS.js";export{a as fetchOverHttpRequest};
