import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
import{a}from"./chunk-GDGCD2KB.js";import"./chunk-YZ6Q2DQ3.js";import"./chunk-OKD7A5RS.js";export{a as libraryDocument};
