# syntax=docker/dockerfile:1
# One image for every role: `docker run <image> api | worker | all` (docker-compose.yml builds it
# once and runs the api and the workers from it). Only the product is inside: runtime
# dependencies, the compiled src/ jobs/ workers/ (no simulators, tools or tests) and public/.
ARG NODE_IMAGE=node:20.20-bookworm-slim

# Runtime dependencies only, installed from the lockfile.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# The compiler needs the dev dependencies; this stage is thrown away.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY jobs ./jobs
COPY workers ./workers
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the process: the app never writes its own files.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY public ./public
COPY package.json ./
USER node
EXPOSE 3000
# Signals: run with an init as PID 1 (`init: true` in docker-compose.yml, `docker run --init`) so
# SIGTERM reaches node, which lets running jobs finish and exits within 10 s.
# The role is the argument: api, worker or all.
ENTRYPOINT ["node", "dist/src/main.js"]
CMD ["all"]
