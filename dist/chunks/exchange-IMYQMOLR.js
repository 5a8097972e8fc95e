import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
import{e as a,f as b}from"./chunk-MCC5VPIV.js";import"./chunk-GP7RB2FB.js";import"./chunk-DK3HEDOT.js";import"./chunk-YMIT355B.js";import"./chunk-OKD7A5RS.js";export{b as exchangeToken,a as preloadMsal};
