import { ApiResponse } from '@nestjs/swagger';

/** An OpenAPI response with a JSON example (shown at /docs). */
export const ApiExample = (status: number, description: string, example: unknown) =>
  ApiResponse({ status, description, content: { 'application/json': { example } } });
