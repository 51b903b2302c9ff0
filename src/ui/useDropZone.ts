import { useState, type DragEvent } from 'react';

/** A drop zone's highlight while something is dragged over it, and its handlers; `onDrop` gets what was dropped. */
export function useDropZone(onDrop: (data: DataTransfer) => void) {
  const [dragging, setDragging] = useState(false);
  return {
    dragging,
    handlers: {
      onDragOver: (e: DragEvent) => {
        e.preventDefault();
        setDragging(true);
      },
      onDragLeave: () => setDragging(false),
      onDrop: (e: DragEvent) => {
        e.preventDefault();
        setDragging(false);
        onDrop(e.dataTransfer);
      },
    },
  };
}
