// Validates Backstage entities with @backstage/catalog-model's own policies and kind validators.
// Input on stdin: a JSON array of entities. Output on stdout: one JSON line per entity,
// {"ref": ..., "ok": true} or {"ref": ..., "ok": false, "error": ...}. Exit 1 if any failed.
"use strict";
const model = require("@backstage/catalog-model");

const policy = model.EntityPolicies.allOf([
  new model.SchemaValidEntityPolicy(),
  new model.DefaultNamespaceEntityPolicy(),
  new model.NoForeignRootFieldsEntityPolicy(),
  new model.FieldFormatEntityPolicy(),
]);
const kindValidators = [
  model.componentEntityV1alpha1Validator,
  model.resourceEntityV1alpha1Validator,
  model.systemEntityV1alpha1Validator,
  model.groupEntityV1alpha1Validator,
];

async function validate(entity) {
  const checked = await policy.enforce(entity);
  let matched = false;
  for (const validator of kindValidators) {
    if (await validator.check(checked)) matched = true;
  }
  if (!matched) throw new Error(`no kind validator accepts ${entity.apiVersion} ${entity.kind}`);
  // Relations' targets must parse as entity references.
  for (const ref of [checked.spec?.owner, ...(checked.spec?.dependsOn ?? [])]) {
    if (ref !== undefined) model.parseEntityRef(ref, { defaultKind: "Group" });
  }
  return model.stringifyEntityRef(checked);
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const entities = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  let failed = 0;
  for (const entity of entities) {
    const shown = `${entity?.kind}:${entity?.metadata?.name}`;
    try {
      const ref = await validate(entity);
      process.stdout.write(JSON.stringify({ ref, ok: true }) + "\n");
    } catch (error) {
      failed += 1;
      process.stdout.write(JSON.stringify({ ref: shown, ok: false, error: String(error.message ?? error) }) + "\n");
    }
  }
  process.exitCode = failed ? 1 : 0;
}

main();
