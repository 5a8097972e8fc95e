import{a}from"./chunk-P6ZIYYNF.js";export default a();
