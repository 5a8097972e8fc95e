import{createRequire as __afcCreateRequire}from'node:module';const require=__afcCreateRequire(import.meta.url);
import{e as a,f as b,g as c,h as d,i as e,j as f}from"./chunk-U4ZYBKE4.js";import"./chunk-DRUOBTAH.js";import"./chunk-OKD7A5RS.js";export{a as CLIENT_ID_PLACEHOLDER,d as azAppCreateCommand,e as azIdentityCreateCommand,f as createCommands,c as credentialNameForSubject,b as withClientId};
