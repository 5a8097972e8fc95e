import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
import{a}from"./chunk-TMXOFKVS.js";import"./chunk-OKD7A5RS.js";export default a();
