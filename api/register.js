// Loads TypeScript sources at run time with SWC, keeping decorator metadata
// (type-graphql and MikroORM read it). Used by `npm start` and every script.
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || require('path').join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');
require('reflect-metadata');
