import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
import{e as a,f as b}from"./chunk-UT4XTRD3.js";import"./chunk-UG7O776Q.js";import"./chunk-6Z7D66TO.js";import"./chunk-YMIT355B.js";import"./chunk-OKD7A5RS.js";export{b as exchangeToken,a as preloadMsal};
