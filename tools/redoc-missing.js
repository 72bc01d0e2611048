// Stand-in embedded when node_modules/redoc is absent: run scripts/setup.sh and rebuild.
document.body.textContent = 'API 参考需要 redoc：请运行 scripts/setup.sh 后重新构建 · The API reference needs redoc: run scripts/setup.sh and rebuild. The document itself: /api/v1/openapi.json';
