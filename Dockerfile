# syntax=docker/dockerfile:1
#
# Production image of the order support bot: multi-stage, runs as the unprivileged "node" user,
# with a HEALTHCHECK on /healthz. Build and run:
#
#   docker build -t order-support-bot .
#   docker run --rm -p 3978:3978 --env-file .env order-support-bot
#
# See docs/deployment.md. NODE_VERSION must satisfy package.json "engines" (>= 20.19).

ARG NODE_VERSION=20

# --- build: all dependencies, TypeScript compiled to dist/ ----------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# .npmrc holds yes=true: a dependency's postinstall runs "npx", which would otherwise prompt.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY dialogs ./dialogs
COPY recognizers ./recognizers
RUN npm run build
# Train the bot's recognizer once, here: the image ships a model file whose hash matches the
# training data, so containers start without training or writing (read-only root file system).
COPY data ./data
RUN node dist/src/cli/cacheModel.js

# --- prod-deps: production dependencies only ----------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime ----------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3978
WORKDIR /app
# Files stay owned by root: the "node" user can read the app but not change it.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY data ./data
COPY public ./public
COPY --from=build /app/models ./models
USER node
EXPOSE 3978
# Node itself, because the slim image has no curl or wget.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const r=require('node:http').get({host:'127.0.0.1',port:process.env.PORT||3978,path:'/healthz',timeout:4000},(s)=>process.exit(s.statusCode===200?0:1));r.on('timeout',()=>r.destroy(new Error('timeout')));r.on('error',()=>process.exit(1));"]
# No npm in front of node: signals (SIGTERM on shutdown) reach the process directly.
CMD ["node", "--enable-source-maps", "dist/src/index.js"]
