import * as tf from '@tensorflow/tfjs';
import type { ObjectStore } from '../storage/object-store.js';
// Registers the tabular input layer, so that tf.loadLayersModel can rebuild models that have one.
import './tabular-input.js';

/**
 * Models are stored in the tfjs Layers format (model.json + weights.bin), so any
 * `tf.loadLayersModel` can read a downloaded copy.
 */
function concatWeights(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  if (!Array.isArray(data)) return new Uint8Array(data);
  const total = data.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const buffer of data) {
    out.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  return out;
}

export async function saveModel(store: ObjectStore, prefix: string, model: tf.LayersModel): Promise<{ modelKey: string; weightsKey: string; bytes: number }> {
  const modelKey = `${prefix}/model.json`;
  const weightsKey = `${prefix}/weights.bin`;
  let bytes = 0;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = concatWeights(artifacts.weightData as ArrayBuffer | ArrayBuffer[]);
      bytes = weights.byteLength;
      // Weights first, then model.json: a reader that finds model.json finds its weights.
      await store.put(weightsKey, weights, { contentType: 'application/octet-stream' });
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      await store.put(modelKey, JSON.stringify(modelJson), { contentType: 'application/json' });
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    }),
  );
  return { modelKey, weightsKey, bytes };
}

export async function loadModel(store: ObjectStore, prefix: string): Promise<tf.LayersModel> {
  const modelObject = await store.get(`${prefix}/model.json`);
  if (!modelObject) throw new Error(`no model at ${store.uri}/${prefix}/model.json`);
  const modelJson = JSON.parse(new TextDecoder().decode(modelObject.body)) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const parts: Uint8Array[] = [];
  for (const group of modelJson.weightsManifest) {
    for (const file of group.paths) {
      const object = await store.get(`${prefix}/${file}`);
      if (!object) throw new Error(`model ${prefix} lists weights file ${file}, which is missing`);
      parts.push(object.body);
    }
  }
  const weightData = concatWeights(parts.map((p) => p.buffer.slice(p.byteOffset, p.byteOffset + p.byteLength) as ArrayBuffer));
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
      weightData: weightData.buffer as ArrayBuffer,
    }),
  );
}
