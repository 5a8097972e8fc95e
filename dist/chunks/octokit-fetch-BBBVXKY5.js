import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
import{a}from"./chunk-H4GRNBGU.js";import"./chunk-6Z7D66TO.js";import"./chunk-OKD7A5RS.js";export{a as fetchOverHttpRequest};
