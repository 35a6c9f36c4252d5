# syntax=docker/dockerfile:1
#
# Production image of the order support bot on Node.js 24 LTS: multi-stage, runs as the
# unprivileged "node" user, with a HEALTHCHECK on /healthz. Build and run:
#
#   docker build -t order-support-bot .
#   docker run --rm -p 3978:3978 --env-file .env order-support-bot
#
# Node.js 22 LTS works too: docker build --build-arg NODE_VERSION=22 ... (package.json "engines").
# See docs/deployment.md.

ARG NODE_VERSION=24

# --- build: all dependencies, TypeScript compiled to dist/, the recognizer trained -------------
FROM node:${NODE_VERSION}-trixie-slim AS build
WORKDIR /app
# .npmrc holds yes=true: a dependency's postinstall runs "npx", which would otherwise prompt.
COPY package.json package-lock.json .npmrc ./
# Dev dependencies too: TypeScript, and botframework-webchat, whose browser bundle the build
# copies into dist/public (the package itself stays out of the production install).
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY dialogs ./dialogs
COPY recognizers ./recognizers
RUN npm run build
# Train the bot's recognizer once, here: the image ships a model file whose hash matches the
# training data, so containers start without training or writing (read-only root file system).
COPY data ./data
RUN node dist/src/cli/cacheModel.js

# --- prod-deps: production dependencies only (npm ci --omit=dev) -------------------------------
# Its own stage, so BuildKit runs it beside the build, and no npm cache or log reaches the image.
FROM node:${NODE_VERSION}-trixie-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime ------------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-trixie-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3978
WORKDIR /app
# Files stay owned by root: the "node" user can read the app but not change it.
COPY --from=prod-deps /app/node_modules ./node_modules
# dist/ holds the compiled bot and dist/public/webchat.js, the Web Chat bundle taken at build time.
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY data ./data
COPY public ./public
COPY --from=build /app/models ./models
# The image's "node" user (uid/gid 1000), by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 3978
# Node itself, because the slim image has no curl or wget.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const r=require('node:http').get({host:'127.0.0.1',port:process.env.PORT||3978,path:'/healthz',timeout:4000},(s)=>process.exit(s.statusCode===200?0:1));r.on('timeout',()=>r.destroy(new Error('timeout')));r.on('error',()=>process.exit(1));"]
# No npm in front of node: signals (SIGTERM on shutdown) reach the process directly.
CMD ["node", "--enable-source-maps", "dist/src/index.js"]
