# The exercise server with its bundled scenarios. Data (event log, secrets) lives in /data.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY exercise_server ./exercise_server
COPY injects ./injects
COPY web ./web
RUN pip install --no-cache-dir .
ENV EXERCISE_DATA_DIR=/data EXERCISE_WEB_DIR=/app/web
VOLUME ["/data"]
EXPOSE 8000
CMD ["exercise-server", "serve", "--host", "0.0.0.0", "--port", "8000", "--data-dir", "/data", "/app/injects"]
